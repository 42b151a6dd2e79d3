//go:build !linux

package converter

func bigBuffer(n int) []byte { return make([]byte, n) }

func freeBigBuffer([]byte) {}
