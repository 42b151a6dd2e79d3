package stack

import (
	"os"
	"path/filepath"
	"syscall"
)

// userXattrs reports whether files in dir take user extended attributes,
// where versitygw keeps object metadata fastest; without them it keeps
// metadata in sidecar files.
func userXattrs(dir string) bool {
	f, err := os.CreateTemp(dir, "xattr-probe-")
	if err != nil {
		return false
	}
	name := f.Name()
	_ = f.Close() // the probe only needs the file to exist
	defer os.Remove(name)
	return syscall.Setxattr(filepath.Clean(name), "user.imgcells.probe", []byte("1"), 0) == nil
}
