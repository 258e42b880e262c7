package serial_test

import (
	"context"
	"sync"
	"testing"

	"github.com/m4pris/mentorbot/bot/internal/serial"
)

func TestSerialOrderPerKeyAndBound(t *testing.T) {
	s := &serial.Queue[int]{Max: 1000}
	var mu sync.Mutex
	got := map[int][]int{}
	for i := range 200 {
		key := i % 7
		if !s.Submit(key, func() {
			mu.Lock()
			got[key] = append(got[key], i)
			mu.Unlock()
		}) {
			t.Fatal("submit refused")
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for key, seq := range got {
		for j := 1; j < len(seq); j++ {
			if seq[j] < seq[j-1] {
				t.Fatalf("key %d ran out of order: %v", key, seq)
			}
		}
	}
	if n := len(got[0]) + len(got[1]) + len(got[2]) + len(got[3]) + len(got[4]) + len(got[5]) + len(got[6]); n != 200 {
		t.Fatalf("ran %d of 200", n)
	}
	if s.Submit(1, func() {}) {
		t.Fatal("submit after Close accepted")
	}

	block := make(chan struct{})
	b := &serial.Queue[string]{Max: 2}
	b.Submit("u", func() { <-block }) // running: leaves the queue
	b.Submit("u", func() {})
	b.Submit("u", func() {})
	if b.Submit("u", func() {}) {
		t.Fatal("a full queue accepted more work")
	}
	close(block)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSerialLen counts work queued and running until it finishes (the queue-depth gauge).
func TestSerialLen(t *testing.T) {
	s := &serial.Queue[int]{}
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	for key := range 2 {
		for range 3 {
			s.Submit(key, func() { started <- struct{}{}; <-release })
		}
	}
	<-started
	<-started // one running per key, two waiting behind each
	if n := s.Len(); n != 6 {
		t.Fatalf("Len %d with 6 submitted and none finished", n)
	}
	close(release)
	go func() {
		for range started {
		}
	}()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(started)
	if n := s.Len(); n != 0 {
		t.Fatalf("Len %d after everything finished", n)
	}
}
