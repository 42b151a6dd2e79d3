package components

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"imgcells/contract"
)

const (
	tQueue        = "aws:sqs/queue:Queue"
	tQueuePolicy  = "aws:sqs/queuePolicy:QueuePolicy"
	tNotification = "aws:s3/bucketNotification:BucketNotification"
	tESM          = "aws:lambda/eventSourceMapping:EventSourceMapping"
)

// grants is every (action, resource) pair a policy allows.
func grants(t *testing.T, r *recorded) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, s := range policyDoc(t, r).Statement {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range s.Action {
			for _, res := range s.Resource {
				out[a+" "+res] = true
			}
		}
	}
	return out
}

// Source buckets keep overwritten and deleted originals for the configured
// days, clean up what that leaves, and never expire a current original.
func checkSourceLifecycle(t *testing.T, d *deployment, b *recorded, rules []*recorded) {
	t.Helper()
	if len(rules) != 1 {
		t.Errorf("source bucket %s has %d lifecycle configurations, want 1", b.Name, len(rules))
		return
	}
	in := rules[0].Inputs
	if n := len(get(in, "rules").ArrayValue()); n != 1 || str(in, "rules", 0, "status") != "Enabled" {
		t.Errorf("source bucket %s: %d rules, status %q", b.Name, n, str(in, "rules", 0, "status"))
	}
	if got := num(in, "rules", 0, "noncurrentVersionExpiration", "noncurrentDays"); got != d.cfg.SourceVersionExpiryDays {
		t.Errorf("source bucket %s keeps old versions %d days, want %d", b.Name, got, d.cfg.SourceVersionExpiryDays)
	}
	if num(in, "rules", 0, "abortIncompleteMultipartUpload", "daysAfterInitiation") <= 0 {
		t.Errorf("source bucket %s never aborts unfinished uploads", b.Name)
	}
	if num(in, "rules", 0, "expiration", "days") != -1 || str(in, "rules", 0, "expiration", "date") != "" {
		t.Errorf("source bucket %s expires current originals", b.Name)
	}
	if !boolean(in, "rules", 0, "expiration", "expiredObjectDeleteMarker") {
		t.Errorf("source bucket %s keeps delete markers left alone", b.Name)
	}
}

// One purge per stack, in the primary region, fed by the main source bucket's
// events through a queue only that bucket may write to, running the
// converter's zip with an environment its loader accepts, and allowed to do
// exactly its job.
func checkPurge(t *testing.T, d *deployment) {
	primaryCell := CellName(d.cfg.PrimaryRegion)
	name := child(primaryCell, "purge")
	source := d.named(tBucket, child(primaryCell, "source"))
	sourceARN, sourceName := str(source.Outputs, "arn"), str(source.Outputs, "bucket")
	dist := d.ofType(tDistribution)[0]
	distARN := str(dist.Outputs, "arn")
	distID := distARN[strings.LastIndex(distARN, "/")+1:]

	var fns []*recorded
	for _, fn := range d.ofType(tFunction) {
		if strings.HasSuffix(fn.Name, "-purge") {
			fns = append(fns, fn)
		}
	}
	if len(fns) != 1 || fns[0].Name != name {
		t.Fatalf("purge functions %v, want one named %s", fns, name)
	}
	fn := fns[0]
	conv := d.converters()[0]
	for _, k := range []string{"runtime", "handler", "sourceCodeHash"} {
		if str(fn.Inputs, k) != str(conv.Inputs, k) || str(fn.Inputs, k) == "" {
			t.Errorf("purge %s %q, converter %q: not the same bootstrap", k, str(fn.Inputs, k), str(conv.Inputs, k))
		}
	}

	queue, dlq := d.named(tQueue, name+"-queue"), d.named(tQueue, name+"-dead-letters")
	if queue == nil || dlq == nil || len(d.ofType(tQueue)) != 2 {
		t.Fatalf("queues %v", d.ofType(tQueue))
	}
	queueARN, queueURL := str(queue.Outputs, "arn"), str(queue.Outputs, "url")
	var redrive struct {
		Target string `json:"deadLetterTargetArn"`
		Max    int    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(str(queue.Inputs, "redrivePolicy")), &redrive); err != nil || redrive.Target != str(dlq.Outputs, "arn") || redrive.Max < 2 {
		t.Errorf("redrive policy %q (%v)", str(queue.Inputs, "redrivePolicy"), err)
	}
	if num(queue.Inputs, "visibilityTimeoutSeconds") < 6*num(fn.Inputs, "timeout") {
		t.Errorf("queue visibility %d s, function timeout %d s: want at least six times", num(queue.Inputs, "visibilityTimeoutSeconds"), num(fn.Inputs, "timeout"))
	}
	for _, q := range []*recorded{queue, dlq} {
		if !boolean(q.Inputs, "sqsManagedSseEnabled") {
			t.Errorf("queue %s is not encrypted", q.Name)
		}
	}

	// The environment, read back by the bootstrap's own loader.
	vars := map[string]string{contract.EnvRegion: d.cfg.PrimaryRegion}
	for k, v := range get(fn.Inputs, "environment", "variables").ObjectValue() {
		vars[string(k)] = plain(v).StringValue()
	}
	got, err := contract.LoadPurgeEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("the bootstrap refuses the purge's environment: %v", err)
	}
	want := contract.PurgeEnv{
		Region: d.cfg.PrimaryRegion, PrimarySourceBucket: sourceName, PrimaryRegion: d.cfg.PrimaryRegion,
		TransformedBuckets: map[string]string{}, DistributionID: distID, QueueURL: queueURL,
	}
	for _, r := range d.cfg.Regions {
		want.TransformedBuckets[r] = str(d.named(tBucket, child(CellName(r), "transformed")).Outputs, "bucket")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the bootstrap reads\n%+v\nwant\n%+v", got, want)
	}
	delete(vars, contract.EnvRegion)
	if wantVars := want.Vars(); !reflect.DeepEqual(vars, wantVars) {
		t.Errorf("purge sets %v, want exactly %v", vars, wantVars)
	}

	// Only the main source bucket, of this account, may send.
	pols := d.ofType(tQueuePolicy)
	if len(pols) != 1 || str(pols[0].Inputs, "queueUrl") != queueURL {
		t.Fatalf("queue policies %v", pols)
	}
	st := policyDoc(t, pols[0]).Statement
	if len(st) != 1 || !reflect.DeepEqual(st[0].Principal, map[string]any{"Service": "s3.amazonaws.com"}) ||
		!slices.Equal(st[0].Action, []string{"sqs:SendMessage"}) || !slices.Equal(st[0].Resource, []string{queueARN}) ||
		st[0].Condition["ArnEquals"]["aws:SourceArn"] != sourceARN || st[0].Condition["StringEquals"]["aws:SourceAccount"] != mockAccount {
		t.Errorf("queue policy %+v", st)
	}

	notes := d.ofType(tNotification)
	if len(notes) != 1 || str(notes[0].Inputs, "bucket") != sourceName {
		t.Fatalf("notifications %v, want one on %s", notes, sourceName)
	}
	if str(notes[0].Inputs, "queues", 0, "queueArn") != queueARN || !slices.Equal(strs(notes[0].Inputs, "queues", 0, "events"), S3EventsPurged) ||
		len(get(notes[0].Inputs, "queues").ArrayValue()) != 1 {
		t.Errorf("notification %v", notes[0].Inputs)
	}

	esms := d.ofType(tESM)
	if len(esms) != 1 {
		t.Fatalf("event source mappings %v", esms)
	}
	e := esms[0].Inputs
	if str(e, "eventSourceArn") != queueARN || str(e, "functionName") != str(fn.Outputs, "arn") ||
		!slices.Equal(strs(e, "functionResponseTypes"), []string{"ReportBatchItemFailures"}) ||
		(num(e, "batchSize") > 10 && num(e, "maximumBatchingWindowInSeconds") < 1) || num(e, "scalingConfig", "maximumConcurrency") < 2 {
		t.Errorf("event source mapping %v", e)
	}

	// Exactly these permissions, each on a named resource.
	rp := d.named(tRolePolicy, name+"-policy")
	logs := d.named("aws:cloudwatch/logGroup:LogGroup", name+"-logs")
	if rp == nil || logs == nil {
		t.Fatal("no purge role policy or log group")
	}
	wantGrants := map[string]bool{
		"s3:GetObject " + sourceARN + "/*": true, "s3:ListBucket " + sourceARN: true,
		"cloudfront:CreateInvalidation " + distARN:                true,
		"logs:CreateLogStream " + str(logs.Outputs, "arn") + ":*": true, "logs:PutLogEvents " + str(logs.Outputs, "arn") + ":*": true,
	}
	for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"} {
		wantGrants[a+" "+queueARN] = true
	}
	for _, r := range d.cfg.Regions {
		arn := str(d.named(tBucket, child(CellName(r), "transformed")).Outputs, "arn")
		wantGrants["s3:ListBucket "+arn] = true
		wantGrants["s3:GetObject "+arn+"/*"] = true
		wantGrants["s3:DeleteObject "+arn+"/*"] = true
	}
	if g := grants(t, rp); !reflect.DeepEqual(g, wantGrants) {
		t.Errorf("purge grants\n%v\nwant\n%v", g, wantGrants)
	}

	// Every converter may ask the main source bucket for the current version.
	for _, r := range d.cfg.Regions {
		g := grants(t, d.named(tRolePolicy, child(CellName(r), "converter-policy")))
		if !g["s3:GetObject "+sourceARN+"/*"] || !g["s3:ListBucket "+sourceARN] {
			t.Errorf("the converter in %s cannot HEAD the main source bucket: %v", r, g)
		}
	}
}
