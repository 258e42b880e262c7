// Package detect reads a free-text message the way a careful colleague would and says whether it speaks of the
// writer's own suicidal thoughts or self-harm (Crisis), of hopelessness, being a burden or saying goodbye (Concern),
// of someone else or an incident (Other), or of none of these (None).
//
// The rules are content: one YAML file per language with the same shape (content/safety/<lang>.yaml), loaded and
// checked by package content. A message is folded (case, diacritics and their ASCII spellings), split into words,
// rewritten (contractions, typing habits, slang), stemmed with snowball, and matched against phrase patterns with
// small gaps; each match is then weighed in context: negation, quotations and reported speech, who the subject is,
// "if", jokes, idioms and work talk.
//
// The package does not import content, so content can use it to check its files:
//
//	det := content.MustDetector()
//	switch r := det.Classify(profile.Lang, text); r.Outcome {
//	case detect.Crisis:  // the crisis reply at once
//	case detect.Concern: // ask directly and kindly whether they are thinking about suicide
//	case detect.Other:   // acknowledge what they went through
//	}
//
// Result.Rule says which rule decided, for tests and the classify command; never log it next to the text.
package detect

import (
	"fmt"
	"io/fs"
	"slices"
)

// Outcome is what a message speaks of, in increasing urgency.
type Outcome uint8

const (
	// None: nothing the safety path needs to answer.
	None Outcome = iota
	// Other: someone else's crisis or an incident (an inmate's attempt, a death in custody, an assault, a
	// colleague's suicide, someone else's words quoted): acknowledge it, not the crisis reply.
	Other
	// Concern: hopelessness, being a burden, goodbyes, "can't go on", giving things away: ask directly.
	Concern
	// Crisis: the writer's own suicidal thoughts, plans, means or self-harm: the crisis reply at once.
	Crisis
)

var outcomeNames = [...]string{None: "none", Other: "other", Concern: "concern", Crisis: "crisis"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", o)
}

// ParseOutcome reads an outcome's name ("crisis", "concern", "other", "none").
func ParseOutcome(s string) (Outcome, bool) {
	i := slices.Index(outcomeNames[:], s)
	return Outcome(max(i, 0)), i >= 0
}

// Result is the detector's reading of one message.
type Result struct {
	Outcome Outcome
	// Rule is the id of the rule that decided ("kill-self"); empty for None.
	Rule string
	// Kind is the rule's kind ("explicit", "burden", "incident"), or "reported" when the rule spoke of the writer
	// but the words or thoughts were someone else's.
	Kind string
	// Lang is the language whose rules decided.
	Lang string
}

// Detector classifies messages. It is safe for concurrent use.
type Detector struct {
	langs    map[string]*language
	codes    []string         // in the order given to Load
	function map[string]uint8 // function word → languages it belongs to (a bit each, in codes' order)
}

// Languages returns the languages the detector has rules for.
func (d *Detector) Languages() []string { return slices.Clone(d.codes) }

// Classify reads text written by someone whose chosen language is lang ("" when unknown).
//
// The profile's language is always read. Officers mix in English (and the occasional other language), so another
// language's rules are read too when the message carries that language's own function words: at least two that
// the profile's language does not share, or more than the profile's language has. Words shared by two languages
// ("i" is English and Danish, "am" English and Romanian) count for neither, and a message needs that
// language's grammar words, not only a content word, before its rules can raise an alarm: Danish "mor" is a
// mother, not Romanian "I die".
func (d *Detector) Classify(lang, text string) Result {
	if len(text) > maxText {
		text = text[:maxText]
	}
	primary := d.langs[lang]
	counts := d.evidence(text)
	if primary == nil {
		primary = d.langs[d.codes[0]]
		best := -1
		for _, c := range d.codes {
			if n := counts.only(c, ""); n > best {
				best, primary = n, d.langs[c]
			}
		}
	}
	s := scans.Get().(*scan)
	defer scans.Put(s)
	res := s.classify(primary, text)
	for _, c := range d.codes {
		if c == primary.code || res.Outcome == Crisis {
			continue
		}
		mine, theirs := counts.only(c, primary.code), counts.only(primary.code, c)
		if mine >= 2 || mine > theirs {
			if r := s.classify(d.langs[c], text); r.Outcome > res.Outcome {
				res = r
			}
		}
	}
	return res
}

// maxText bounds the work on one message: Telegram's own limit is 4096 characters.
const maxText = 8192

// classify reads text in one language. The strongest outcome wins; between matches of equal strength, the rule
// earlier in the file names it.
func (s *scan) classify(l *language, text string) Result {
	s.load(l, text)
	guards := s.guardSpans()
	joke := s.joking()
	best, bestRule, bestKind := None, -1, ""
	s.eachMatch(&l.ruleIndex, func(e *indexEntry) bool {
		r := l.rules[e.owner]
		s.blockOther = r.who != whoAny && r.who != whoOther
		// a match only ever weakens its rule's outcome: skip rules that cannot beat the best so far
		return r.outcome < best || r.outcome == best && e.owner >= bestRule
	}, func(e *indexEntry, start, end int, gapNeg bool) {
		r := l.rules[e.owner]
		o, kind := s.judge(r, start, end, gapNeg, guards, joke)
		if o > best || o == best && o != None && e.owner < bestRule {
			best, bestRule, bestKind = o, e.owner, kind
		}
	})
	res := Result{Outcome: best, Lang: l.code}
	if best != None {
		res.Rule, res.Kind = l.rules[bestRule].id, bestKind
	}
	return res
}

// guardSpans finds where idioms and work talk stand in the message.
func (s *scan) guardSpans() [][2]int {
	s.spans = s.spans[:0]
	s.blockOther = false
	s.eachMatch(&s.l.guardIndex, nil, func(_ *indexEntry, start, end int, _ bool) {
		s.spans = append(s.spans, [2]int{start, end})
	})
	return s.spans
}

// judge weighs one match of rule r in its context and returns what it counts for.
func (s *scan) judge(r *rule, start, end int, gapNeg bool, guards [][2]int, joke bool) (Outcome, string) {
	for _, g := range guards {
		if g[0] < end && start < g[1] {
			return None, "" // an idiom or work talk covers these words
		}
	}
	if gapNeg || s.negated(start, end) {
		return None, ""
	}
	if r.outcome == Other {
		if s.sentenceHas(start, markMedia) {
			return None, "" // the plot of a film
		}
		if r.who == whoOther && s.speaker(start, end) != spOther {
			return None, ""
		}
		return Other, r.kind
	}
	var sp speaker
	if r.who == whoAny {
		if q := s.toks[start].quote; q != 0 {
			sp = s.quoteFrame(q)
		}
	} else {
		sp = s.speaker(start, end)
	}
	if sp == spUnknown && r.who == whoStated {
		for i := start; i < end; i++ {
			if s.is(i, markSelf) {
				sp = spSelf // the writer inside the match: Danish "i aften tager jeg livet af mig"
			}
		}
	}
	switch {
	case sp == spOther:
		return Other, "reported"
	case sp == spMedia:
		return None, ""
	case sp == spUnknown && r.who == whoStated:
		return None, ""
	case sp != spOther && r.who == whoOther:
		return None, ""
	}
	o := r.outcome
	if s.hypothetical(start, end) {
		o = weaker(o)
	}
	if joke {
		o = weaker(o)
	}
	return o, r.kind
}

// weaker is one step down: a crisis said as a joke or an "if" is a concern worth asking about; a concern said so is
// nothing to answer.
func weaker(o Outcome) Outcome {
	switch o {
	case Crisis:
		return Concern
	case Concern:
		return None
	}
	return o
}

// Load reads <lang>.yaml for each of langs from fsys and compiles the rules. Problems name every mistake in the
// files, including an example a rule's own examples list says it classifies and it does not; the detector is nil
// when a file cannot be read at all.
func Load(fsys fs.FS, langs []string) (*Detector, []Problem) {
	return load(fsys, langs)
}

// Problem is one mistake in the rule files.
type Problem struct {
	File    string
	Message string
}

func (p Problem) String() string { return p.File + ": " + p.Message }
