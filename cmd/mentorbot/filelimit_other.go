//go:build !unix

package main

// fileLimit is unknown here: the connection cap is MENTORBOT_HTTP_MAX_CONNS or its default.
func fileLimit() int { return 0 }
