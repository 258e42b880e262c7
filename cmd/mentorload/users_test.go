package main

import (
	"encoding/json"
	"testing"
)

func TestUserOnboardsAndAvoidsErasing(t *testing.T) {
	u := newUser(100001, 1, 1) // a member
	u.lang, u.code = "ro", "K7QM2-XPD4R"
	kb := func(data ...string) view {
		v := view{kbMsg: 7}
		for _, d := range data {
			v.keyboard = append(v.keyboard, button{Text: d, Data: d})
		}
		return v
	}
	steps := []struct {
		v    view
		want action
	}{
		{view{}, action{text: "/start"}},
		{kb("s1:en", "s1:da", "s1:ro"), action{data: "s1:ro", msg: 7}},
		{kb("s2:ok", "g:privacy"), action{data: "s2:ok", msg: 7}},
		{kb("s5:code", "s5:guest"), action{data: "s5:code", msg: 7}},
		{kb("s6:guest"), action{text: "K7QM2-XPD4R"}},
		{kb("s6:guest"), action{data: "s6:guest", msg: 7}}, // the code is used up
		{kb("s7:Europe/Copenhagen", "s7:Europe/Bucharest", "s7:other"), action{data: "s7:Europe/Bucharest", msg: 7}},
		{kb("s8:own", "s8:22:00-07:00"), action{data: "s8:22:00-07:00", msg: 7}},
	}
	for i, s := range steps {
		if got := u.next(s.v); got != s.want {
			t.Fatalf("step %d: %+v, want %+v", i, got, s.want)
		}
	}
	if !u.onboarded {
		t.Fatal("not onboarded after the quiet hours")
	}
	for range 200 {
		a := u.next(kb("g:forget", "g:export", "s9:other", "g:menu"))
		if a.data != "" && a.data != "g:menu" {
			t.Fatalf("pressed %q", a.data)
		}
	}
}

func TestUpdateBodies(t *testing.T) {
	u := newUser(100002, 1, 0)
	var m map[string]any
	if err := json.Unmarshal(u.body(5, action{data: "s3:yes", msg: 9}), &m); err != nil {
		t.Fatal(err)
	}
	cb := m["callback_query"].(map[string]any)
	if cb["data"] != "s3:yes" || cb["message"].(map[string]any)["message_id"] != 9.0 || cb["from"].(map[string]any)["id"] != 100002.0 {
		t.Fatalf("callback update %v", m)
	}
	if err := json.Unmarshal(u.body(6, action{text: "/menu"}), &m); err != nil {
		t.Fatal(err)
	}
	if msg := m["message"].(map[string]any); msg["text"] != "/menu" || msg["chat"].(map[string]any)["id"] != 100002.0 || m["update_id"] != 6.0 {
		t.Fatalf("message update %v", m)
	}
	if kb := parseKeyboard(`{"inline_keyboard":[[{"text":"A","callback_data":"s1:a"}],[{"text":"B","callback_data":"g:b"}]]}`); len(kb) != 2 || kb[1].Data != "g:b" {
		t.Fatalf("keyboard %v", kb)
	}
}
