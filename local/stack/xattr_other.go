//go:build !linux

package stack

// userXattrs: off Linux, versitygw keeps object metadata in sidecar files.
func userXattrs(dir string) bool { return false }
