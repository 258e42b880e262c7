package main

import (
	"io"
	"net"
	"sync"
	"time"
)

// busyResponse is what a connection over the cap gets before it is closed: a client that reads it (Telegram,
// Slack) delivers again later.
const busyResponse = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

// capListener holds at most cap(slots) connections open at once. A new connection beyond that is answered 503 and
// closed at once, so a flood of connections costs the process a file descriptor for an instant, not for as long
// as the flood lasts; the descriptors left are for Redis, the queue and the platform APIs. (Blocking in Accept, as
// netutil.LimitListener does, would leave the flood in the kernel's queue ahead of every real delivery.)
type capListener struct {
	net.Listener
	slots   chan struct{}
	refused func()
}

func newCapListener(ln net.Listener, max int, refused func()) *capListener {
	return &capListener{Listener: ln, slots: make(chan struct{}, max), refused: refused}
}

// Accept returns the next connection within the cap, answering and closing those beyond it.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &cappedConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
		}
		// A fresh connection's send buffer is empty, so this write does not wait; the deadline is a guard.
		c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		io.WriteString(c, busyResponse)
		c.Close()
		l.refused()
	}
}

// cappedConn gives its slot back when it is closed (the HTTP server closes every connection it accepted).
type cappedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *cappedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
