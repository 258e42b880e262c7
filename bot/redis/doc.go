// Package redis is all of mentorbot's Redis code: the client from REDIS_URL (or an embedded in-process server when
// none is configured), key builders in keys.go, and the stores that implement the interfaces flows declares.
package redis
