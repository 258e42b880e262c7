// Package seal encrypts health data before it reaches Redis: AES-256-GCM from the standard library, with the id of
// the key written beside the ciphertext so that keys can be rotated (new data is sealed with the first key, old
// data still opens with the keys listed after it, and is re-sealed with the new key the next time it is written).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Key is one 32-byte AES-256 key and its id.
type Key struct {
	ID     string
	Secret []byte
}

// Box seals and opens with a set of keys. It is safe for concurrent use.
type Box struct {
	current string
	aeads   map[string]cipher.AEAD
}

// Errors Open returns. Neither says anything about the plaintext.
var (
	// ErrUnknownKey: the data was sealed with a key this Box does not hold (removed too early in a rotation).
	ErrUnknownKey = errors.New("seal: sealed with an unknown key")
	// ErrOpen: the data is damaged, was sealed for another owner, or the key with that id is not the same key.
	ErrOpen = errors.New("seal: cannot open")
)

// version prefixes every sealed value, so that the format itself can change later.
const version = "s1"

// New builds a Box. The first key seals; every key opens.
func New(keys ...Key) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: no key")
	}
	b := &Box{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if !validID(k.ID) {
			return nil, fmt.Errorf("seal: key id %q: use 1–16 letters, digits, - or _", k.ID)
		}
		if len(k.Secret) != 32 {
			return nil, fmt.Errorf("seal: key %s has %d bytes, want 32", k.ID, len(k.Secret))
		}
		if _, dup := b.aeads[k.ID]; dup {
			return nil, fmt.Errorf("seal: key id %s twice", k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("seal: key %s: %w", k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("seal: key %s: %w", k.ID, err)
		}
		b.aeads[k.ID] = aead
	}
	return b, nil
}

// Current is the id of the key that seals.
func (b *Box) Current() string { return b.current }

// Seal encrypts plain for owner (bound as additional data: a value copied to another owner does not open).
// The result is "s1.<key id>.<base64url(nonce|ciphertext)>".
func (b *Box) Seal(owner string, plain []byte) (string, error) {
	aead := b.aeads[b.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: nonce: %w", err)
	}
	out := aead.Seal(nonce, nonce, plain, []byte(owner))
	return version + "." + b.current + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value Seal made for owner.
func (b *Box) Open(owner, sealed string) ([]byte, error) {
	id, data, err := split(sealed)
	if err != nil {
		return nil, err
	}
	aead, ok := b.aeads[id]
	if !ok {
		return nil, ErrUnknownKey
	}
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, data[:n], data[n:], []byte(owner))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// KeyID returns the id of the key a value was sealed with.
func KeyID(sealed string) (string, error) {
	id, _, err := split(sealed)
	return id, err
}

func split(sealed string) (id string, data []byte, err error) {
	v, rest, ok := strings.Cut(sealed, ".")
	if !ok || v != version {
		return "", nil, ErrOpen
	}
	id, enc, ok := strings.Cut(rest, ".")
	if !ok || !validID(id) {
		return "", nil, ErrOpen
	}
	data, err = base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", nil, ErrOpen
	}
	return id, data, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 16 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ParseKeys reads MENTORBOT_DATA_KEY: comma-separated keys, the sealing key first, each "id:base64" or a bare
// base64 key (its id is then derived from the key: "k" and 8 hex digits of its SHA-256). A key is 32 random bytes,
// e.g. from `openssl rand -base64 32`. To rotate, put the new key first and keep the old ones after it until every
// stored value was re-sealed.
func ParseKeys(s string) ([]Key, error) {
	var keys []Key
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, enc, hasID := strings.Cut(part, ":")
		if !hasID {
			id, enc = "", part
		}
		secret, err := decodeKey(enc)
		if err != nil {
			return nil, fmt.Errorf("MENTORBOT_DATA_KEY: key %d: %w", len(keys)+1, err)
		}
		if id == "" {
			sum := sha256.Sum256(secret)
			id = "k" + hex.EncodeToString(sum[:4])
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if len(keys) == 0 {
		return nil, errors.New("MENTORBOT_DATA_KEY: no key")
	}
	return keys, nil
}

func decodeKey(enc string) ([]byte, error) {
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(enc); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("decodes to %d bytes, want 32", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// NewRandom returns a Box with one fresh random key, for the local chat on the embedded store (where everything is
// gone when the process stops anyway).
func NewRandom() *Box {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b, _ := New(Key{ID: "local", Secret: secret})
	return b
}
