package content_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/m4pris/mentorbot/content"
)

func TestEmbeddedInstruments(t *testing.T) {
	set := content.MustInstruments()
	cbi, pulse := set.Get("cbi-work"), set.Get("pulse")
	if cbi == nil || pulse == nil {
		t.Fatal("cbi-work and pulse must be embedded")
	}
	// The published CBI work-related scale: 7 items, 100/75/50/25/0, item 7 reversed, 4 answers needed.
	if len(cbi.Items) != 7 || !cbi.Items[6].Reverse || cbi.Scoring.MinAnswered != 4 || cbi.Cadence != "monthly" {
		t.Fatalf("cbi-work: %d items, reverse7=%v, min=%d", len(cbi.Items), cbi.Items[6].Reverse, cbi.Scoring.MinAnswered)
	}
	for _, it := range cbi.Items {
		var scores []int
		for _, o := range cbi.OptionSets[it.Options] {
			scores = append(scores, o.Score)
		}
		if fmt.Sprint(scores) != "[100 75 50 25 0]" {
			t.Errorf("item %s scores %v, want 100,75,50,25,0", it.ID, scores)
		}
	}
	if set.List[0].Cadence != "monthly" {
		t.Error("monthly instruments come first (the planner offers them before the weekly one)")
	}
	if cbi.Translations["ro"].Official || !strings.Contains(cbi.Translations["ro"].Note, "Not an official") {
		t.Error("the Romanian CBI must be marked as not an official translation")
	}
}

const goodInstrument = `id: mini
version: 1
cadence: weekly
audience: [mentee]
name: {en: "Mini", da: "Mini", ro: "Mini"}
short: {en: "Mini", da: "Mini", ro: "Mini"}
intro: {en: "i", da: "i", ro: "i"}
attribution: "us"
licence: "ours"
translations:
  en: {official: true, note: "n"}
  da: {official: true, note: "n"}
  ro: {official: false, note: "n"}
scoring:
  method: mean
  higher_is: worse
  min_answered: 1
  bands:
    - {below: 50, key: low, text: {en: "l", da: "l", ro: "l"}}
    - {below: 101, key: high, text: {en: "h", da: "h", ro: "h"}}
alerts:
  - {rule: items_all, items: {q1: 2}}
option_sets:
  yn:
    - {value: 1, score: 0, label: {en: "No", da: "Nej", ro: "Nu"}}
    - {value: 2, score: 100, label: {en: "Yes", da: "Ja", ro: "Da"}}
items:
  - id: q1
    options: yn
    text: {en: "Q?", da: "Q?", ro: "Q?"}
`

func TestInstrumentByDataAlone(t *testing.T) {
	set, problems := content.LoadInstruments(fstest.MapFS{"instruments/mini.yaml": {Data: []byte(goodInstrument)}})
	if len(problems) > 0 {
		t.Fatalf("a valid new instrument was refused: %v", problems)
	}
	if set.Get("mini") == nil {
		t.Fatal("not loaded")
	}
}

func TestInstrumentProblems(t *testing.T) {
	for name, c := range map[string]struct{ from, to, want string }{
		"missing language":    {`name: {en: "Mini", da: "Mini", ro: "Mini"}`, `name: {en: "Mini", da: "Mini"}`, "name: missing ro"},
		"long button label":   {`label: {en: "No",`, `label: {en: "No no no no no no no no no no",`, "longer than 24"},
		"unknown rule":        {`rule: items_all`, `rule: sometimes`, "unknown rule"},
		"unknown alert item":  {`items: {q1: 2}`, `items: {q9: 2}`, `unknown item "q9"`},
		"unknown option set":  {`options: yn`, `options: ny`, "unknown option set"},
		"bands do not cover":  {`below: 101`, `below: 90`, "last band"},
		"score out of range":  {`score: 100,`, `score: 120,`, "out of 0–100"},
		"unknown field":       {`version: 1`, "version: 1\nwording: x", "yaml"},
		"id and file differ":  {`id: mini`, `id: maxi`, "must match the file name"},
		"no attribution":      {`attribution: "us"`, `attribution: ""`, "attribution is empty"},
		"too many to answer":  {`min_answered: 1`, `min_answered: 3`, "min_answered"},
		"bad cadence":         {`cadence: weekly`, `cadence: daily`, "cadence"},
		"translation no note": {`ro: {official: false, note: "n"}`, `ro: {official: false}`, "ro needs an entry"},
	} {
		t.Run(name, func(t *testing.T) {
			data := strings.Replace(goodInstrument, c.from, c.to, 1)
			if data == goodInstrument {
				t.Fatalf("test case does not change the file")
			}
			_, problems := content.LoadInstruments(fstest.MapFS{"instruments/mini.yaml": {Data: []byte(data)}})
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), c.want) {
				t.Fatalf("problems lack %q: %v", c.want, all)
			}
		})
	}
}
