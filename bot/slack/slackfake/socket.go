package slackfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// socket is one Socket Mode connection from the bot.
type socket struct {
	conn *websocket.Conn
	wmu  sync.Mutex // gorilla allows one writer at a time
	done chan struct{}
	once sync.Once
}

func (c *socket) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.conn.WriteJSON(v)
}

func (c *socket) close() {
	c.once.Do(func() {
		close(c.done)
		c.conn.Close()
	})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &socket{conn: conn, done: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	old := s.sock
	s.sock, s.socks = c, s.socks+1
	s.notify()
	s.mu.Unlock()
	if old != nil {
		old.close()
	}
	if err := c.write(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
		c.close()
		return
	}
	// Slack pings the client; socketmode reconnects when pings stop.
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-c.done:
				return
			case <-t.C:
				c.wmu.Lock()
				err := conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
				c.wmu.Unlock()
				if err != nil {
					c.close()
					return
				}
			}
		}
	}()
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			c.close()
			return
		}
		s.mu.Lock()
		s.acks[ack.EnvelopeID] = true
		if len(ack.Payload) > 0 {
			s.ackPayloads[ack.EnvelopeID] = ack.Payload
		}
		s.notify()
		s.mu.Unlock()
	}
}

// Connections counts the Socket Mode connections the bot opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.socks
}

// Acked reports whether the bot acknowledged the envelope.
func (s *Server) Acked(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acks[id]
}

// Send delivers a Socket Mode envelope of type typ ("events_api", "interactive", "slash_commands") with payload,
// once the bot is connected, and returns its envelope id. retry is Slack's retry_attempt (0 for the first delivery).
func (s *Server) Send(tb testing.TB, typ string, payload json.RawMessage, retry int) string {
	tb.Helper()
	var c *socket
	s.Wait(tb, "a Socket Mode connection", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		c = s.sock
		return c != nil
	})
	s.mu.Lock()
	s.nextID++
	id := fmt.Sprintf("env-%d", s.nextID)
	s.mu.Unlock()
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload, "retry_attempt": retry}
	if err := c.write(env); err != nil {
		tb.Fatalf("slackfake: send envelope: %v", err)
	}
	return id
}

// AckPayload is the payload the bot sent with its acknowledgement of envelope id (for a slash command: the
// answer shown to the person), nil if none.
func (s *Server) AckPayload(id string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ackPayloads[id]
}

// WaitAck waits until the bot acknowledged envelope id.
func (s *Server) WaitAck(tb testing.TB, id string) {
	tb.Helper()
	s.Wait(tb, "ack of "+id, func() bool { return s.Acked(id) })
}

// Disconnect asks the bot to reconnect, as Slack does every few hours, and waits for the new connection.
func (s *Server) Disconnect(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	c, n := s.sock, s.socks
	s.mu.Unlock()
	if c == nil {
		tb.Fatal("slackfake: no connection to disconnect")
	}
	if err := c.write(map[string]any{"type": "disconnect", "reason": "refresh_requested"}); err != nil {
		tb.Fatalf("slackfake: disconnect: %v", err)
	}
	s.Wait(tb, "a new Socket Mode connection", func() bool { return s.Connections() > n })
}

// Drop closes the connection without warning (a network failure) and waits for the bot to reconnect.
func (s *Server) Drop(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	c, n := s.sock, s.socks
	s.sock = nil
	s.mu.Unlock()
	if c != nil {
		c.close()
	}
	s.Wait(tb, "a new Socket Mode connection", func() bool { return s.Connections() > n })
}
