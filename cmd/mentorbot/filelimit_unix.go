//go:build unix

package main

import (
	"math"
	"syscall"
)

// fileLimit is the process's soft limit on open files (RLIMIT_NOFILE, `ulimit -n`), 0 when unknown. Go raises the
// soft limit to the hard one at start, so this is the hard limit the process was started with.
func fileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	if uint64(rl.Cur) > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(rl.Cur)
}
