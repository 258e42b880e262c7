package telegram

import (
	"bytes"
	"io"
	"net/http"
)

// newHTTPClient is the client for the Bot API: one host, many chats sending at once, so it keeps enough idle
// connections (net/http's default of 2 per host would dial a new TLS connection for most messages).
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// wholeBody sends each request with its body in one piece. go-telegram/bot streams the multipart body through a
// pipe, which net/http sends chunked and flushes after every chunk: a dozen small writes for one message. Reading
// it first costs a copy of a few hundred bytes and saves most of the system calls.
type wholeBody struct{ c *http.Client }

func (w wholeBody) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.ContentLength > 0 {
		return w.c.Do(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return w.c.Do(r)
}
