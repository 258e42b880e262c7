package slackfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Sign computes Slack's X-Slack-Signature for a request body sent at timestamp ts (Unix seconds as text).
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}
