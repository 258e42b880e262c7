package detect_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/m4pris/mentorbot/content/detect"
)

type want struct {
	lang, text string
	outcome    detect.Outcome
}

func check(t *testing.T, det *detect.Detector, cases []want) {
	t.Helper()
	for _, c := range cases {
		if got := det.Classify(c.lang, c.text); got.Outcome != c.outcome {
			t.Errorf("%s %q: %s (rule %q, kind %q), want %s", c.lang, c.text, got.Outcome, got.Rule, got.Kind, c.outcome)
		}
	}
}

// TestIssueExamples: every message issue 12 names, with the outcome it asks for.
func TestIssueExamples(t *testing.T) {
	check(t, mustLoad(t), []want{
		{"en", "I am suicidal", detect.Crisis},
		{"en", "i'm having suicidal thoughts", detect.Crisis},
		{"en", "I started self-harming again", detect.Crisis},
		{"en", "been thinking of ending it", detect.Crisis},
		{"en", "kms", detect.Crisis},
		{"da", "jeg vil bare dø", detect.Crisis},
		{"da", "jeg vil bare do", detect.Crisis},
		{"da", "taenker paa selvmord", detect.Crisis},
		{"da", "jeg slår mig ihjel i aften", detect.Crisis},
		{"da", "ikke lyst til at leve mere", detect.Crisis},
		{"ro", "m-am tăiat din nou", detect.Crisis},
		{"ro", "nu mai doresc să trăiesc", detect.Crisis},
		{"en", "thinking about ending it", detect.Crisis},
		{"en", "I can't go on", detect.Concern},
		{"en", "everyone would be better off without me", detect.Concern},
		{"en", "he told me 'I want to die'", detect.Other},
		{"en", "an inmate said he'd kill himself", detect.Other},
		{"en", "I had a terrible shift, an inmate attacked my colleague and I feel awful", detect.Other},
		{"en", "I would never kill myself", detect.None},
		{"en", "this shift is killing me", detect.None},
		{"en", "dead tired", detect.None},
		{"da", "dødtræt", detect.None},
		{"ro", "mor de oboseală", detect.None},
		{"en", "take my life in a new direction", detect.None},
		{"ro", "îmi iau zilele restante", detect.None},
		{"en", "suicide watch on wing B", detect.None},
		{"da", "selvmordsobservation hele natten", detect.None},
	})
}

// TestNegation: a negation in front of the words, in a gap, or answering a question takes them back; an
// intensifier, "can't stop", negative concord and "nothing but" do not.
func TestNegation(t *testing.T) {
	check(t, mustLoad(t), []want{
		{"en", "i'm not suicidal, just exhausted", detect.None},
		{"en", "i don't want to die, i want a holiday", detect.None},
		{"en", "suicidal? no. knackered? yes", detect.None},
		{"en", "i can't stop thinking about killing myself", detect.Crisis},
		{"en", "i don't want to live anymore", detect.Crisis},
		{"en", "i've never felt so hopeless", detect.Concern},
		{"en", "i'm nothing but a burden", detect.Concern},
		{"da", "jeg vil ikke dø", detect.None},
		{"da", "jeg har ingen selvmordstanker", detect.None},
		{"da", "jeg er ikke andet end en byrde", detect.Concern},
		{"ro", "nu vreau să mor", detect.None},
		{"ro", "nu sunt suicidar", detect.None},
		{"ro", "nu văd nicio ieșire", detect.Concern},
		{"ro", "nimeni n-ar observa dacă aș dispărea", detect.Concern},
	})
}

// TestWhoSpeaks: the writer's own words are a crisis; someone else's, quoted or reported, are Other; a quotation
// from a song or film is nothing; the writer quoting their own thought is still theirs.
func TestWhoSpeaks(t *testing.T) {
	check(t, mustLoad(t), []want{
		{"en", `inmate told me "i want to die"`, detect.Other},
		{"en", `"i'll kill myself" he shouted`, detect.Other},
		{"en", "my colleague told me she's been feeling suicidal", detect.Other},
		{"en", "he told me i want to die, over and over", detect.Other},
		{"en", "i told my wife i want to die", detect.Crisis},
		{"en", `i keep thinking "i want to die"`, detect.Crisis},
		{"en", `listening to "i want to die" by some band`, detect.None},
		{"en", "i just want him to die", detect.None}, // anger at someone, not the writer's death wish
		{"da", `han sagde til mig "jeg vil dø"`, detect.Other},
		{"da", "hun sagde hun ikke har lyst til at leve mere", detect.Other},
		{"da", "den her vagtplan tager livet af mig", detect.None},
		{"ro", "mi-a zis „vreau să mor”", detect.Other},
		{"ro", "deținutul zice că vrea să moară", detect.Other},
		{"ro", "fratele meu are gânduri de sinucidere", detect.Other},
		{"ro", "autovătămarea mea e tot mai rea", detect.Crisis},
	})
}

// TestWeakening: "if" and a joke weaken a match one step each; "if it weren't for" or "if I had the courage" do not.
func TestWeakening(t *testing.T) {
	check(t, mustLoad(t), []want{
		{"en", "i want to kill myself lol", detect.Concern},
		{"en", "if they cancel my leave again i'm jumping off the roof 😂", detect.None},
		{"en", "i'll kill myself if they put me on nights again", detect.Concern},
		{"en", "i'd kill myself if it wasn't for my kids", detect.Crisis},
		{"ro", "m-aș sinucide dacă aș avea curaj", detect.Crisis},
		{"en", "i'm not joking, i want to die", detect.Crisis},
	})
}

// TestStrongestWins: a crisis beside an incident is a crisis; an idiom or work talk only cancels the words it
// covers.
func TestStrongestWins(t *testing.T) {
	det := mustLoad(t)
	check(t, det, []want{
		{"en", "an inmate attacked my colleague today and honestly i want to kill myself", detect.Crisis},
		{"en", "dying for a smoke but honestly i want to die", detect.Crisis},
		{"en", "on suicide watch all night and now i'm thinking about suicide myself", detect.Crisis},
		{"da", "jeg er helt død og vil bare dø", detect.Crisis},
		{"ro", "sunt mort de oboseala si nu mai vreau sa traiesc", detect.Crisis},
	})
	r := det.Classify("en", "I am suicidal")
	if r.Rule != "suicidal" || r.Kind != "explicit" || r.Lang != "en" {
		t.Errorf("result %+v: want rule suicidal, kind explicit, lang en", r)
	}
	if r := det.Classify("en", "thanks, that helped"); r != (detect.Result{Lang: "en"}) {
		t.Errorf("none: %+v", r)
	}
}

// TestOtherLanguages: officers mix English into Danish and Romanian, or write in the other language; the other
// language's rules are read only when its own grammar words are there, so they never raise an alarm on look-alike
// words.
func TestOtherLanguages(t *testing.T) {
	check(t, mustLoad(t), []want{
		{"da", "er så træt af alt, honestly i just want to die", detect.Crisis},
		{"ro", "sunt atat de obosit ca honestly i want to die", detect.Crisis},
		{"en", "jeg vil bare dø", detect.Crisis},
		{"en", "vreau să mă sinucid", detect.Crisis},
		{"", "jeg har selvmordstanker", detect.Crisis},
		{"", "I am suicidal", detect.Crisis},
		{"da", "min mor er syg og jeg er træt", detect.None},  // "mor" is Romanian "I die", here a mother
		{"ro", "am stat la coadă la mor de râs", detect.None}, // idiom, no English crisis words
		{"da", "this shift is killing me, dødtræt", detect.None},
		{"en", "the rota is a joke, mor de oboseala", detect.None},
	})
}

func TestOutcomeNames(t *testing.T) {
	for _, o := range []detect.Outcome{detect.None, detect.Other, detect.Concern, detect.Crisis} {
		if got, ok := detect.ParseOutcome(o.String()); !ok || got != o {
			t.Errorf("%v round trip: %v %v", o, got, ok)
		}
	}
	if _, ok := detect.ParseOutcome("panic"); ok {
		t.Error(`"panic" parsed`)
	}
}

// TestConcurrentClassify: one Detector serves every user at once (run with -race).
func TestConcurrentClassify(t *testing.T) {
	det := mustLoad(t)
	texts := []want{
		{"en", "I am suicidal", detect.Crisis},
		{"da", "jeg kan ikke mere", detect.Concern},
		{"ro", "un deținut s-a spânzurat", detect.Other},
		{"en", strings.Repeat("long shift again and the rota is a mess, ", 60), detect.None},
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				c := texts[(g+i)%len(texts)]
				if got := det.Classify(c.lang, c.text).Outcome; got != c.outcome {
					t.Errorf("%q: %v", c.text, got)
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzClassify: any text in any language gets an answer, never a panic, and the same answer twice.
func FuzzClassify(f *testing.F) {
	det := mustLoad(f)
	for _, s := range []string{"", "I am suicidal", "„”'\"«»", "...!!??", "ăâîșțşţ æøå", "a-b-c-", "'''", "😂😂",
		strings.Repeat("x ", 5000), "he said \"i'm done\" and 'left"} {
		f.Add("en", s)
		f.Add("ro", s)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		a, b := det.Classify(lang, text), det.Classify(lang, text)
		if a != b {
			t.Fatalf("%q: %+v then %+v", text, a, b)
		}
	})
}
