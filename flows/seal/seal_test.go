package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/flows/seal"
)

func key(id string, b byte) seal.Key { return seal.Key{ID: id, Secret: bytes.Repeat([]byte{b}, 32)} }

func mustBox(t *testing.T, keys ...seal.Key) *seal.Box {
	t.Helper()
	b, err := seal.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	b := mustBox(t, key("k1", 1))
	plain := []byte(`[{"s":78.6}]`)
	s, err := b.Seal("p1", plain)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "s1.k1.") || strings.Contains(s, "78.6") {
		t.Fatalf("sealed form %q", s)
	}
	got, err := b.Open("p1", s)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %v", got, err)
	}
	// A fresh nonce each time: the same plaintext never seals to the same text.
	if s2, _ := b.Seal("p1", plain); s2 == s {
		t.Fatal("nonce reused")
	}
}

func TestWrongKeyOwnerOrTamper(t *testing.T) {
	b := mustBox(t, key("k1", 1))
	s, _ := b.Seal("p1", []byte("scores"))

	other := mustBox(t, key("k1", 2)) // same id, different key
	if _, err := other.Open("p1", s); !errors.Is(err, seal.ErrOpen) {
		t.Errorf("wrong key: %v, want ErrOpen", err)
	}
	unknown := mustBox(t, key("k9", 1))
	if _, err := unknown.Open("p1", s); !errors.Is(err, seal.ErrUnknownKey) {
		t.Errorf("unknown key id: %v, want ErrUnknownKey", err)
	}
	if _, err := b.Open("p2", s); !errors.Is(err, seal.ErrOpen) {
		t.Errorf("copied to another owner: %v, want ErrOpen", err)
	}
	raw := []byte(s)
	raw[len(raw)-3] ^= 1
	if _, err := b.Open("p1", string(raw)); err == nil {
		t.Error("tampered value opened")
	}
	for _, bad := range []string{"", "s1", "s1.k1", "s2.k1.AAAA", "s1.k1.!!!", "s1.k1.AAAA", "s1.a b.AAAA"} {
		if _, err := b.Open("p1", bad); err == nil {
			t.Errorf("%q opened", bad)
		}
	}
}

func TestRotation(t *testing.T) {
	old := mustBox(t, key("old", 1))
	s, _ := old.Seal("p1", []byte("history"))

	// The new key first, the old one kept: old values still open, new ones use the new key.
	rotated := mustBox(t, key("new", 2), key("old", 1))
	if got, err := rotated.Open("p1", s); err != nil || string(got) != "history" {
		t.Fatalf("old value after rotation: %q %v", got, err)
	}
	s2, _ := rotated.Seal("p1", []byte("history"))
	if id, _ := seal.KeyID(s2); id != "new" || rotated.Current() != "new" {
		t.Fatalf("sealed with %q, want new", id)
	}
	// Once re-sealed, the old key can go.
	done := mustBox(t, key("new", 2))
	if _, err := done.Open("p1", s2); err != nil {
		t.Fatalf("re-sealed value with the new key only: %v", err)
	}
	if _, err := done.Open("p1", s); !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("old value without the old key: %v", err)
	}
}

func TestParseKeys(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	k2 := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32))
	keys, err := seal.ParseKeys(" new:" + k2 + " , " + k1)
	if err != nil || len(keys) != 2 {
		t.Fatalf("parse: %v %v", keys, err)
	}
	if keys[0].ID != "new" || !strings.HasPrefix(keys[1].ID, "k") || len(keys[1].ID) != 9 {
		t.Fatalf("ids: %q %q", keys[0].ID, keys[1].ID)
	}
	again, _ := seal.ParseKeys(k1)
	if again[0].ID != keys[1].ID {
		t.Fatal("a bare key's derived id is not stable")
	}
	if _, err := seal.New(keys...); err != nil {
		t.Fatal(err)
	}
	short := base64.StdEncoding.EncodeToString([]byte("too short"))
	for _, bad := range []string{"", " , ", "id:" + short, "not base64 at all!", "x:"} {
		if _, err := seal.ParseKeys(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := seal.New(key("a b", 1)); err == nil {
		t.Error("bad key id accepted")
	}
	if _, err := seal.New(key("a", 1), key("a", 2)); err == nil {
		t.Error("duplicate key id accepted")
	}
}

func BenchmarkSealOpen(b *testing.B) {
	box, _ := seal.New(key("k1", 1))
	plain := bytes.Repeat([]byte(`{"t":"2026-11-27T10:00:00Z","i":"cbi-work","s":78.6},`), 60)
	b.ReportAllocs()
	for b.Loop() {
		s, _ := box.Seal("p1", plain)
		if _, err := box.Open("p1", s); err != nil {
			b.Fatal(err)
		}
	}
}
