package detect

import (
	"strings"
	"testing"
)

func testLanguage(code string) *language {
	l := newLanguage(code)
	return l
}

func surfaces(toks []token) string {
	var w []string
	for _, t := range toks {
		w = append(w, t.surf)
	}
	return strings.Join(w, " ")
}

// TestFold: each language's writers meet their patterns whichever keyboard they typed on.
func TestFold(t *testing.T) {
	for _, c := range []struct{ lang, in, want string }{
		{"ro", "Vreau să-mi iau viaţa!", "vreau sa mi iau viata"}, // ș ț with comma, ţ with cedilla, hyphen splits
		{"ro", "vreau sa-mi iau viața", "vreau sa mi iau viata"},
		{"ro", "nu mai shtiu, viatza mea", "nu mai stiu viata mea"}, // sh/tz typed for ș/ț
		{"ro", "ÎMI VINE SĂ MOR", "imi vine sa mor"},
		{"da", "Jeg HÅBER jeg ikke vågner", "jeg haber jeg ikke vagner"},
		{"da", "jeg haaber jeg ikke vaagner", "jeg haber jeg ikke vagner"}, // aa for å
		{"da", "jeg vil bare dø", "jeg vil bare do"},
		{"da", "jeg vil bare doe", "jeg vil bare do"},        // oe for ø
		{"da", "taenker paa selvmord", "tenker pa selvmord"}, // ae for æ
		{"da", "tænker på selvmord", "tenker pa selvmord"},   // the same words with æøå
		{"da", "han er slået ned", "han er slaet ned"},       // å then e is not a typed "ae"
		{"en", "I want to dieee", "i want to die"},           // stretched letters
		{"en", "I can’t go on…", "i can't go on"},            // typographic apostrophe kept for the rewrites
		{"en", "café crème", "cafe creme"},
	} {
		l := testLanguage(c.lang)
		if got := surfaces(l.tokenize(c.in, nil)); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

// TestBoundariesAndQuotes: punctuation becomes boundary levels and quotations spans; apostrophes inside words are
// not quotes; a quotation never closed is the writer's own text.
func TestBoundariesAndQuotes(t *testing.T) {
	l := testLanguage("en")
	toks := l.tokenize(`he told me "i want to die". then, at 12.30: nothing... ok`, nil)
	want := []struct {
		surf  string
		brk   uint8
		quote bool
	}{
		{"he", brkNone, false}, {"told", brkNone, false}, {"me", brkNone, false},
		{"i", brkNone, true}, {"want", brkNone, true}, {"to", brkNone, true}, {"die", brkNone, true},
		{"then", brkSentence, false}, {"at", brkComma, false}, {"12", brkNone, false}, {"30", brkNone, false},
		{"nothing", brkColon, false}, {"ok", brkComma, false},
	}
	if len(toks) != len(want) {
		t.Fatalf("tokens %q", surfaces(toks))
	}
	for i, w := range want {
		if toks[i].surf != w.surf || toks[i].brk != w.brk || (toks[i].quote != 0) != w.quote {
			t.Errorf("token %d: %+v, want %+v", i, toks[i], w)
		}
	}
	toks = l.tokenize(`she said 'i can't go on' and left`, nil)
	for _, tk := range toks {
		if inside := tk.surf == "i" || tk.surf == "can't" || tk.surf == "go" || tk.surf == "on"; inside != (tk.quote != 0) {
			t.Errorf("single quotes: %q quote=%d", tk.surf, tk.quote)
		}
	}
	for _, tk := range l.tokenize(`i want to die" honestly`, nil) {
		if tk.quote != 0 {
			t.Errorf("a stray quote mark made %q a quotation", tk.surf)
		}
	}
	if toks := l.tokenize("lol 😂 ok", nil); surfaces(toks) != "lol haha ok" {
		t.Errorf("laughing emoji: %q", surfaces(toks))
	}
}

func TestWithin1(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"suicid", "suicid", true}, {"sucid", "suicid", true}, {"suicdi", "suicid", true}, {"suicxd", "suicid", true},
		{"suicidal", "suicid", false}, {"myslef", "myself", true}, {"himself", "myself", false}, {"", "a", true},
	} {
		if got := within1(c.a, c.b); got != c.want {
			t.Errorf("within1(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestExpandGroups(t *testing.T) {
	got, err := expandGroups("x|(a b) c (d|e f)?")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"x c d", "x c e f", "x c", "a b c d", "a b c e f", "a b c"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"(a (b))", "(a|)", "a)"} {
		if _, err := expandGroups(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
