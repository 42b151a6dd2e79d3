package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// VersityEnv names the environment variable that may point at the versitygw
// binary; otherwise it is looked up on PATH and in $GOPATH/bin.
const VersityEnv = "IMGCELLS_VERSITYGW"

// S3Server is a versitygw process serving a folder over the S3 protocol on a
// loopback port. Every bucket of every simulated region lives on it; the
// signing transport (see resign.go) lets clients sign for any region.
type S3Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	Region    string // the region versitygw checks signatures against
	AccessKey string
	SecretKey string
	AccessLog string // versitygw's access log: one line per S3 request

	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	exitErr error         // what Wait returned; read only after done is closed
	closing atomic.Bool   // Close has stopped it: its exit is no failure
	logPath string        // versitygw's own output
}

// exitError says how the process ended; call it only once done is closed.
func (s *S3Server) exitError() error {
	why := s.exitErr
	if why == nil {
		why = errors.New("exit status 0")
	}
	return fmt.Errorf("the S3 server (versitygw, pid %d) exited: %w (its log: %s)", s.PID(), why, s.logPath)
}

// FindVersity returns the path of the versitygw binary or an error that says
// how to install it.
func FindVersity() (string, error) {
	if p := os.Getenv(VersityEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w (%s)", VersityEnv, p, err, versityInstall)
		}
		return p, nil
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	if p := filepath.Join(gopath, "bin", "versitygw"); gopath != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("versitygw not found on PATH or in $GOPATH/bin (set " + VersityEnv + ", or " + versityInstall + ")")
}

// versityInstall says how to install the S3 server the stack runs.
const versityInstall = "install it: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// StartS3Server starts versitygw with its posix backend over dir (created if
// missing) on a free loopback port and waits until it answers.
func StartS3Server(ctx context.Context, dir string) (*S3Server, error) {
	bin, err := FindVersity()
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, "buckets")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("creating S3 server folder: %w", err)
	}
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &S3Server{
			Endpoint:  "http://127.0.0.1:" + strconv.Itoa(port),
			Region:    "us-east-1",
			AccessKey: "imgcells-local",
			SecretKey: "imgcells-local-secret",
			AccessLog: filepath.Join(dir, "s3-access.log"),
			done:      make(chan struct{}),
		}
		args := []string{
			"--port", "127.0.0.1:" + strconv.Itoa(port),
			"--access", s.AccessKey, "--secret", s.SecretKey,
			"--region", s.Region, "--quiet", "--access-log", s.AccessLog,
			"posix",
		}
		if !userXattrs(root) {
			meta := filepath.Join(dir, "meta")
			if err := os.MkdirAll(meta, 0o755); err != nil {
				return nil, fmt.Errorf("creating S3 metadata folder: %w", err)
			}
			args = append(args, "--sidecar", meta)
		}
		s.cmd = exec.Command(bin, append(args, root)...)
		s.logPath = filepath.Join(dir, "versitygw.log")
		logFile, err := os.Create(s.logPath)
		if err != nil {
			return nil, fmt.Errorf("creating versitygw log: %w", err)
		}
		s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
		if err := s.cmd.Start(); err != nil {
			_ = logFile.Close() // nothing was written to it
			return nil, fmt.Errorf("starting %s: %w", bin, err)
		}
		go func() {
			s.exitErr = s.cmd.Wait()
			_ = logFile.Close() // the process wrote through its own copy of it
			close(s.done)
		}()
		if lastErr = s.waitReady(ctx, 15*time.Second); lastErr == nil {
			return s, nil
		}
		_ = s.Close() // lastErr says why it did not start
	}
	return nil, fmt.Errorf("versitygw did not start (see versitygw.log in %s): %w", dir, lastErr)
}

func (s *S3Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("versitygw exited: %w", s.exitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		// Any HTTP answer (an unsigned request gets 403) means it listens.
		resp, err := http.Get(s.Endpoint + "/")
		if err == nil {
			_ = resp.Body.Close() // any answer means it listens; the body is not read
			return nil
		}
	}
	return fmt.Errorf("no answer from %s within %s", s.Endpoint, limit)
}

// Close stops the server and waits for it to exit. How the process exited is
// not returned: Close itself interrupts (or kills) it.
func (s *S3Server) Close() error {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	s.closing.Store(true)
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PID is the versitygw process id (0 for an external server), so a
// benchmark can read its peak memory.
func (s *S3Server) PID() int {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
