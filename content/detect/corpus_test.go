package detect_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/content/detect"
)

var showMisses = flag.Bool("misses", false, "list every corpus row the detector gets wrong")

// row is one labelled message of a corpus file: outcome<TAB>kind<TAB>lang<TAB>text.
type row struct {
	want       detect.Outcome
	kind, lang string
	text       string
	line       int
}

func readCorpus(t testing.TB, name string) []row {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 4)
		if len(parts) != 4 {
			t.Fatalf("%s:%d: want outcome<TAB>kind<TAB>lang<TAB>text", name, n)
		}
		o, ok := detect.ParseOutcome(parts[0])
		if !ok {
			t.Fatalf("%s:%d: outcome %q", name, n, parts[0])
		}
		rows = append(rows, row{want: o, kind: parts[1], lang: parts[2], text: parts[3], line: n})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// score is the corpus figures the issue sets limits on, as counts.
type score struct {
	explicit, explicitCrisis int // the writer's explicit statements; of them, read as crisis
	self, selfCaught         int // every crisis or concern row; of them, read as crisis or concern
	calm, calmCrisis         int // other and none rows; of them, read as crisis
	calmConcern              int // of them, read as concern
	exact, rows              int // rows read exactly as labelled
}

func (s score) pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// Limits from issue 12.
const (
	minExplicitCrisis = 95.0 // crisis recall on explicit statements
	minSelfCaught     = 90.0 // crisis or concern on every self-crisis row
	maxCalmCrisis     = 3.0  // crisis on other/none rows
	maxCalmConcern    = 10.0 // concern on other/none rows
)

func scoreRows(t *testing.T, det *detect.Detector, name string, rows []row) score {
	var s score
	for _, r := range rows {
		got := det.Classify(r.lang, r.text)
		s.rows++
		if got.Outcome == r.want {
			s.exact++
		}
		selfRow := r.want == detect.Crisis || r.want == detect.Concern
		caught := got.Outcome == detect.Crisis || got.Outcome == detect.Concern
		switch {
		case selfRow:
			s.self++
			if caught {
				s.selfCaught++
			}
			if r.want == detect.Crisis && r.kind == "explicit" {
				s.explicit++
				if got.Outcome == detect.Crisis {
					s.explicitCrisis++
				}
			}
		default:
			s.calm++
			switch got.Outcome {
			case detect.Crisis:
				s.calmCrisis++
			case detect.Concern:
				s.calmConcern++
			}
		}
		if *showMisses && got.Outcome != r.want {
			t.Logf("%s:%d %s/%s got %s (%s/%s): %s", name, r.line, r.want, r.kind, got.Outcome, got.Rule, got.Kind, r.text)
		}
	}
	return s
}

func (s score) String() string {
	return fmt.Sprintf("explicit→crisis %5.1f%% (%d/%d) · self→crisis|concern %5.1f%% (%d/%d) · "+
		"calm→crisis %4.1f%% (%d/%d) · calm→concern %4.1f%% (%d/%d) · exact %5.1f%%",
		s.pct(s.explicitCrisis, s.explicit), s.explicitCrisis, s.explicit,
		s.pct(s.selfCaught, s.self), s.selfCaught, s.self,
		s.pct(s.calmCrisis, s.calm), s.calmCrisis, s.calm,
		s.pct(s.calmConcern, s.calm), s.calmConcern, s.calm,
		s.pct(s.exact, s.rows))
}

// TestCorpus scores the detector on the labelled corpora, per set and language, and fails under the limits of
// issue 12. The dev set is what the rules were written against; the held-out set was written before the detector
// first ran and is never used to change a rule (see testdata/heldout_en.tsv). go test -run TestCorpus -v prints
// the figures; -args -misses lists each row read wrongly.
func TestCorpus(t *testing.T) {
	det := mustLoad(t)
	for _, set := range []string{"dev", "heldout"} {
		t.Run(set, func(t *testing.T) {
			for _, lang := range []string{"en", "da", "ro"} {
				name := set + "_" + lang + ".tsv"
				rows := readCorpus(t, name)
				s := scoreRows(t, det, name, rows)
				t.Logf("%-7s %s  %s", set, lang, s)
				if s.self < 50 || s.calm < 50 {
					t.Errorf("%s: %d self rows and %d calm rows; want at least 50 of each", name, s.self, s.calm)
				}
				if p := s.pct(s.explicitCrisis, s.explicit); p < minExplicitCrisis {
					t.Errorf("%s: explicit statements read as crisis %.1f%%, want ≥ %.0f%%", name, p, minExplicitCrisis)
				}
				if p := s.pct(s.selfCaught, s.self); p < minSelfCaught {
					t.Errorf("%s: self rows read as crisis or concern %.1f%%, want ≥ %.0f%%", name, p, minSelfCaught)
				}
				if p := s.pct(s.calmCrisis, s.calm); p > maxCalmCrisis {
					t.Errorf("%s: other/none rows read as crisis %.1f%%, want ≤ %.0f%%", name, p, maxCalmCrisis)
				}
				if p := s.pct(s.calmConcern, s.calm); p > maxCalmConcern {
					t.Errorf("%s: other/none rows read as concern %.1f%%, want ≤ %.0f%%", name, p, maxCalmConcern)
				}
			}
		})
	}
}

// mustLoad loads the rules from the content tree, failing on any problem.
func mustLoad(t testing.TB) *detect.Detector {
	t.Helper()
	det, problems := detect.Load(os.DirFS("../safety"), []string{"en", "da", "ro"})
	for _, p := range problems {
		t.Error(p)
	}
	if det == nil {
		t.FailNow()
	}
	return det
}
