package cfrun

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"runtime"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Runner runs one function's code. It is safe for concurrent use: each call
// borrows a goja runtime from a pool (a runtime is not goroutine-safe).
type Runner struct {
	prog    *goja.Program
	now     func() time.Time
	limit   time.Duration
	log     func(string)
	pool    chan *instance
	mu      sync.RWMutex
	kvs     map[string]string
	modules []string
}

// Modules lists the runtime modules the code imports (crypto, cloudfront).
func (r *Runner) Modules() []string { return append([]string(nil), r.modules...) }

type instance struct {
	vm        *goja.Runtime
	handler   goja.Callable
	parse     goja.Callable
	stringify goja.Callable
}

// Option configures a Runner.
type Option func(*Runner)

// WithClock sets the function's clock (Date.now), for expiry tests.
func WithClock(now func() time.Time) Option { return func(r *Runner) { r.now = now } }

// WithLog receives the function's console.log lines (dropped by default).
func WithLog(log func(string)) Option { return func(r *Runner) { r.log = log } }

// WithTimeLimit bounds one invocation (default 1 s, far above CloudFront's
// compute budget, only to stop runaway loops).
func WithTimeLimit(d time.Duration) Option { return func(r *Runner) { r.limit = d } }

// New compiles code (the exact bytes deployed) for running with the given
// KeyValueStore contents.
func New(code []byte, kvs map[string]string, opts ...Option) (*Runner, error) {
	src, modules, err := ForGoja(code)
	if err != nil {
		return nil, err
	}
	prog, err := goja.Compile("rewrite.js", src, true)
	if err != nil {
		return nil, fmt.Errorf("compiling function: %w", err)
	}
	r := &Runner{
		prog: prog, now: time.Now, limit: time.Second, log: func(string) {},
		pool: make(chan *instance, runtime.GOMAXPROCS(0)), kvs: maps.Clone(kvs), modules: modules,
	}
	for _, o := range opts {
		o(r)
	}
	inst, err := r.newInstance() // fail early on code that does not load
	if err != nil {
		return nil, err
	}
	r.pool <- inst
	return r, nil
}

// SetKVS replaces the KeyValueStore contents (a key rotation, say).
func (r *Runner) SetKVS(kvs map[string]string) {
	r.mu.Lock()
	r.kvs = maps.Clone(kvs)
	r.mu.Unlock()
}

func (r *Runner) lookup(key string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.kvs[key]
	return v, ok
}

// importLine matches the module imports CloudFront documents for runtime 2.0.
var importLine = regexp.MustCompile(`(?m)^import ([A-Za-z_$][A-Za-z0-9_$]*) from '([a-z]+)';[ \t]*$`)

// otherModuleSyntax catches import/export forms cfrun does not translate.
var otherModuleSyntax = regexp.MustCompile(`(?m)^\s*(import|export)\b`)

// ForGoja is the one change cfrun makes to the code before running it: goja
// has no ES modules, so each line `import NAME from 'MODULE';` (MODULE
// crypto or cloudfront) becomes `var NAME = __cfrun_module('MODULE');` on the
// same line. Everything else runs as deployed. It returns the modules used.
func ForGoja(code []byte) (string, []string, error) {
	var modules []string
	var bad error
	src := importLine.ReplaceAllStringFunc(string(code), func(line string) string {
		m := importLine.FindStringSubmatch(line)
		if m[2] != "crypto" && m[2] != "cloudfront" {
			bad = fmt.Errorf("function imports module %q: CloudFront provides crypto and cloudfront", m[2])
		}
		modules = append(modules, m[2])
		return "var " + m[1] + " = __cfrun_module('" + m[2] + "');"
	})
	if bad != nil {
		return "", nil, bad
	}
	if loc := otherModuleSyntax.FindStringIndex(src); loc != nil {
		return "", nil, fmt.Errorf("function has module syntax cfrun does not translate at byte %d", loc[0])
	}
	return src, modules, nil
}

func (r *Runner) newInstance() (*instance, error) {
	vm := goja.New()
	vm.SetTimeSource(func() time.Time { return r.now() })
	_ = vm.Set("__cfrun_module", func(name string) *goja.Object {
		if name == "crypto" {
			return cryptoModule(vm)
		}
		return cloudfrontModule(vm, r.lookup)
	})
	console := vm.NewObject()
	_ = console.Set("log", func(call goja.FunctionCall) goja.Value {
		r.log(fmt.Sprint(call.Arguments))
		return goja.Undefined()
	})
	_ = vm.Set("console", console)
	if _, err := vm.RunProgram(r.prog); err != nil {
		return nil, fmt.Errorf("loading function: %w", err)
	}
	handler, ok := goja.AssertFunction(vm.Get("handler"))
	if !ok {
		return nil, errors.New("loading function: no function named handler")
	}
	jsonObj := vm.Get("JSON").ToObject(vm)
	parse, _ := goja.AssertFunction(jsonObj.Get("parse"))
	stringify, _ := goja.AssertFunction(jsonObj.Get("stringify"))
	return &instance{vm: vm, handler: handler, parse: parse, stringify: stringify}, nil
}

func (r *Runner) get() (*instance, error) {
	select {
	case inst := <-r.pool:
		return inst, nil
	default:
		return r.newInstance()
	}
}

func (r *Runner) put(inst *instance) {
	select {
	case r.pool <- inst:
	default:
	}
}

// Handle runs the function on an incoming HTTP request.
func (r *Runner) Handle(req *http.Request) (Result, error) { return r.Run(FromHTTP(req)) }

// Run invokes the handler on ev. An error means the function threw, did not
// settle, or returned something CloudFront would reject (CloudFront answers
// the viewer with a 5xx then).
func (r *Runner) Run(ev Event) (Result, error) {
	in, err := json.Marshal(ev)
	if err != nil {
		return Result{}, fmt.Errorf("encoding event: %w", err)
	}
	inst, err := r.get()
	if err != nil {
		return Result{}, err
	}
	out, reusable, err := inst.invoke(string(in), r.limit)
	if reusable {
		r.put(inst) // an instance that threw or was interrupted is dropped
	}
	if err != nil {
		return Result{}, err
	}
	return decode(out, ev.Request.Method)
}

func (inst *instance) invoke(event string, limit time.Duration) (out string, reusable bool, err error) {
	timer := time.AfterFunc(limit, func() { inst.vm.Interrupt("time limit exceeded") })
	out, err = inst.call(event)
	// reuse only when the timer never fired and the code did not throw
	return out, timer.Stop() && err == nil, err
}

func (inst *instance) call(event string) (string, error) {
	arg, err := inst.parse(goja.Undefined(), inst.vm.ToValue(event))
	if err != nil {
		return "", fmt.Errorf("parsing event: %w", err)
	}
	v, err := inst.handler(goja.Undefined(), arg)
	if err != nil {
		return "", fmt.Errorf("function threw: %w", err)
	}
	if p, ok := v.Export().(*goja.Promise); ok {
		switch p.State() {
		case goja.PromiseStateRejected:
			return "", fmt.Errorf("function rejected: %v", p.Result())
		case goja.PromiseStatePending:
			return "", errors.New("function returned a promise that never settled")
		}
		v = p.Result()
	}
	s, err := inst.stringify(goja.Undefined(), v)
	if err != nil {
		return "", fmt.Errorf("encoding function result: %w", err)
	}
	return s.String(), nil
}

// decode turns the function's JSON result into a Result.
func decode(out, method string) (Result, error) {
	var probe struct {
		StatusCode *int            `json:"statusCode"`
		Method     *string         `json:"method"`
		Body       json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal([]byte(out), &probe); err != nil {
		return Result{}, fmt.Errorf("function returned %.80s: not an object: %w", out, err)
	}
	if probe.StatusCode != nil {
		var resp Response
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			return Result{}, fmt.Errorf("decoding function response: %w", err)
		}
		body, err := decodeBody(probe.Body)
		if err != nil {
			return Result{}, err
		}
		resp.Body = body
		return Result{Response: &resp}, nil
	}
	var req Request
	if err := json.Unmarshal([]byte(out), &req); err != nil {
		return Result{}, fmt.Errorf("decoding function request: %w", err)
	}
	if req.Method != method {
		return Result{}, fmt.Errorf("function changed the method from %s to %q", method, req.Method)
	}
	if len(req.URI) == 0 || req.URI[0] != '/' {
		return Result{}, fmt.Errorf("function returned uri %q: must start with /", req.URI)
	}
	return Result{Request: &req}, nil
}

// decodeBody accepts runtime 2.0's body forms: a string, or
// {encoding: "text"|"base64", data}.
func decodeBody(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var b struct{ Encoding, Data string }
	if err := json.Unmarshal(raw, &b); err != nil {
		return "", fmt.Errorf("function response body: %w", err)
	}
	switch b.Encoding {
	case "", "text":
		return b.Data, nil
	case "base64":
		d, err := base64.StdEncoding.DecodeString(b.Data)
		if err != nil {
			return "", fmt.Errorf("function response body: bad base64: %w", err)
		}
		return string(d), nil
	}
	return "", fmt.Errorf("function response body: unknown encoding %q", b.Encoding)
}
