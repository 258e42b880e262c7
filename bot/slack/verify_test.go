package slack

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/bot/slack/slackfake"
)

func TestVerify(t *testing.T) {
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	body := []byte(`token=x&command=%2Fmentor&text=menu`)
	now := time.Now()
	header := func(ts time.Time, sig string) http.Header {
		h := http.Header{}
		s := strconv.FormatInt(ts.Unix(), 10)
		h.Set("X-Slack-Request-Timestamp", s)
		if sig == "" {
			sig = slackfake.Sign(secret, s, body)
		}
		h.Set("X-Slack-Signature", sig)
		return h
	}
	tests := []struct {
		name    string
		secret  string
		header  http.Header
		body    []byte
		wantErr error
	}{
		{"valid", secret, header(now, ""), body, nil},
		{"valid, 4 minutes old", secret, header(now.Add(-4*time.Minute), ""), body, nil},
		{"forged with another secret", secret, header(now, slackfake.Sign("guess", strconv.FormatInt(now.Unix(), 10), body)), body, slackapi.ErrInvalidSignature},
		{"body changed", secret, header(now, ""), []byte(`token=x&command=%2Fmentor&text=forget`), slackapi.ErrInvalidSignature},
		{"signature without v0", secret, header(now, "deadbeef"), body, slackapi.ErrInvalidSignature},
		{"stale timestamp", secret, header(now.Add(-6*time.Minute), ""), body, slackapi.ErrExpiredTimestamp},
		{"timestamp from the future", secret, header(now.Add(6*time.Minute), ""), body, slackapi.ErrExpiredTimestamp},
		{"missing signature", secret, func() http.Header { h := header(now, ""); h.Del("X-Slack-Signature"); return h }(), body, slackapi.ErrMissingHeaders},
		{"missing timestamp", secret, func() http.Header { h := header(now, ""); h.Del("X-Slack-Request-Timestamp"); return h }(), body, slackapi.ErrMissingHeaders},
		{"empty secret", "", header(now, slackfake.Sign("", strconv.FormatInt(now.Unix(), 10), body)), body, slackapi.ErrInvalidConfiguration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, tt.body)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("want valid, got %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("want %v, got %v", tt.wantErr, err)
			}
		})
	}
}
