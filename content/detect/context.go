package detect

// Marker kinds: sets every language file defines, which say who speaks, what is negated and what is not meant.
const (
	markSelf         = iota // the writer: I, me, my; jeg, mig; eu, mă
	markOther               // someone else: he, an inmate, my colleague; han, indsat; el, deținutul
	markReport              // a reporting verb whose subject says who spoke: said, told, screamed
	markReportOther         // a reporting phrase that names someone else as the speaker: "told me", "mi-a zis"
	markNegation            // not, never; ikke, aldrig; nu, niciodată
	markNegStop             // words that end a negation's reach: "can't STOP thinking about it"
	markClause              // words that begin a new clause: but, because; men, fordi; dar, pentru că
	markHypothetical        // if, what if; hvis; dacă
	markJoke                // lol, jk, haha, a laughing emoji; pjat; glumesc
	markMedia               // song, film, lyrics: a quotation from them is not the writer speaking
	markFiller              // words that may trail a clause before $: tbh, anymore, honestly
	markSelfAfter           // a possessive after the words that makes them the writer's: Romanian "autovătămarea mea"
	markResolve             // in an "if" clause, words that make it serious: "if I had the courage", "if not for"
	markExceptive           // after a negation, words that turn it into "only": "nothing but", "ikke andet end", "decât"
	numMarks
)

var markNames = [numMarks]string{
	"self", "other", "report", "report_other", "negation", "neg_stop", "clause", "hypothetical", "joke", "media",
	"filler", "self_after", "resolve", "exceptive",
}

// speaker is whose words or thoughts a match is.
type speaker uint8

const (
	spUnknown speaker = iota // nobody named: in a first-person chat, the writer
	spSelf                   // the writer, named
	spOther                  // someone else: a pronoun, a person, or a reporting frame
	spMedia                  // a song, a film: nobody's own words
)

// who is a rule's requirement on the speaker.
type who uint8

const (
	whoImplied who = iota // the writer unless someone else is named (the default)
	whoStated             // the writer must be named: "I self-harm", "my self-harm", not "self-harm training"
	whoAny                // no speaker check: "everyone would be better off without me" names others on purpose
	whoOther              // someone else must be named: "the inmate died"
)

var whoNames = map[string]who{"": whoImplied, "implied": whoImplied, "stated": whoStated, "any": whoAny, "other": whoOther}

// Reach of the look-arounds, in words.
const (
	subjectReach  = 7 // back from a match to its subject
	reportReach   = 4 // back from a subject to a reporting verb ("he told me I ...")
	negationReach = 4 // back from a match to a negation ("ingen tanker om at gøre en ende på det")
	frameReach    = 6 // around a quotation to its frame ("he told me '...'")
)

// boundaryBefore is the boundary between token i-1 and token i.
func (s *scan) boundaryBefore(i int) uint8 {
	if i <= 0 || i >= len(s.toks) {
		return brkSentence
	}
	return s.toks[i].brk
}

// speaker finds whose words or thoughts the match [start, end) is.
func (s *scan) speaker(start, end int) speaker {
	if q := s.toks[start].quote; q != 0 {
		if sp := s.quoteFrame(q); sp != spUnknown {
			return sp
		}
	}
	// Back to the nearest subject within the clause.
	for j, n := start-1, 0; j >= 0 && n < subjectReach; j, n = j-1, n+1 {
		if s.boundaryBefore(j+1) >= brkComma || s.toks[j].quote != s.toks[start].quote {
			break
		}
		switch {
		case s.is(j, markReportOther), s.is(j, markOther):
			return spOther
		case s.is(j, markSelf):
			if s.reportedBy(j) == spOther {
				return spOther // "he told me I want to die"
			}
			return spSelf
		case s.is(j, markReport):
			return s.subjectOf(j)
		case s.is(j, markClause) && !s.exceptiveAt(j):
			j = -1
		}
	}
	// Nothing before: a reporting frame after ("I want to die, he said"), or a person right after an adjective
	// ("suicidal inmate"), or a possessive after the noun (Romanian "autovătămarea mea").
	other, report := false, false
	for j := end; j < len(s.toks) && j < end+3; j++ {
		if s.boundaryBefore(j) >= brkSentence {
			break
		}
		if j == end && s.boundaryBefore(j) == brkNone {
			if s.is(j, markSelf) || s.is(j, markSelfAfter) {
				return spSelf
			}
			if s.is(j, markOther) && !s.is(j, markReport) {
				return spOther
			}
		}
		other = other || s.is(j, markOther)
		report = report || s.is(j, markReport)
		if s.is(j, markReportOther) || other && report {
			return spOther
		}
	}
	return spUnknown
}

// reportedBy looks for a reporting verb just before the writer's pronoun at j and returns its speaker.
func (s *scan) reportedBy(j int) speaker {
	for k, n := j-1, 0; k >= 0 && n < reportReach; k, n = k-1, n+1 {
		if b := s.boundaryBefore(k + 1); b >= brkComma {
			return spUnknown
		}
		if s.is(k, markReportOther) {
			return spOther
		}
		if s.is(k, markReport) {
			return s.subjectOf(k)
		}
	}
	return spUnknown
}

// subjectOf finds the subject of the reporting verb at j: "he said", "my colleague told me".
func (s *scan) subjectOf(j int) speaker {
	if s.is(j, markReportOther) {
		return spOther
	}
	for k, n := j-1, 0; k >= 0 && n < subjectReach; k, n = k-1, n+1 {
		if s.boundaryBefore(k+1) >= brkComma {
			break
		}
		switch {
		case s.is(k, markOther), s.is(k, markReportOther):
			return spOther
		case s.is(k, markSelf):
			return spSelf
		case s.is(k, markClause):
			return spUnknown
		}
	}
	return spUnknown
}

// quoteFrame decides whose words the quoted span q is from what stands around it: "he told me '…'" and "'…' he
// shouted" are someone else's; "I keep thinking '…'" the writer's; a quotation in a sentence about a song or a
// film is nobody's. A quotation with no frame is left to the caller (the writer's own words, to be safe).
func (s *scan) quoteFrame(q int16) speaker {
	first, last := -1, -1
	for i, t := range s.toks {
		if t.quote == q {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if s.sentenceHas(first, markMedia) {
		return spMedia
	}
	for j, n := first-1, 0; j >= 0 && n < frameReach; j, n = j-1, n+1 {
		if s.boundaryBefore(j+1) >= brkSentence {
			break
		}
		switch {
		case s.is(j, markReportOther), s.is(j, markOther):
			return spOther
		case s.is(j, markReport):
			if sp := s.subjectOf(j); sp == spSelf {
				return spSelf
			}
			return spOther // "screamed '…'" with the subject left out is rarely the writer
		case s.is(j, markSelf):
			return spSelf
		}
	}
	other, report := false, false
	for j := last + 1; j < len(s.toks) && j <= last+frameReach/2+1; j++ {
		// the quotation's own final punctuation ("„mă sinucid!” a urlat") does not end the frame
		if j > last+1 && s.boundaryBefore(j) >= brkSentence {
			break
		}
		if s.is(j, markReportOther) {
			return spOther
		}
		other = other || s.is(j, markOther)
		report = report || s.is(j, markReport)
		if report && (other || j == last+1) {
			return spOther
		}
		if report && s.is(j, markSelf) {
			return spSelf
		}
	}
	return spUnknown
}

// sentenceHas reports whether the sentence around token i has a marker of kind.
func (s *scan) sentenceHas(i int, kind int) bool {
	if i < 0 {
		return false
	}
	for j := i; j >= 0; j-- {
		if s.is(j, kind) {
			return true
		}
		if s.toks[j].brk >= brkSentence {
			break
		}
	}
	for j := i + 1; j < len(s.toks) && s.toks[j].brk < brkSentence; j++ {
		if s.is(j, kind) {
			return true
		}
	}
	return false
}

// negated reports a negation in front of the match within its clause ("I would never kill myself", "ikke
// selvmordstruet", "nu vreau să mor"), or a "no" answering the match as a question ("suicidal? no"). A match that
// itself begins with a negative word takes the negation before it as grammar, not meaning (Romanian negative
// concord: "nu văd nicio ieșire" sees no way out).
func (s *scan) negated(start, end int) bool {
	if s.is(start, markNegation) {
		return end < len(s.toks) && s.toks[end].q && s.is(end, markNegation)
	}
	for j, n := start-1, 0; j >= 0 && n < negationReach; j, n = j-1, n+1 {
		if s.boundaryBefore(j+1) >= brkComma {
			break
		}
		if s.exceptiveAt(j) {
			continue // "nothing but": the negation before it is looked at from there
		}
		if s.is(j, markNegation) {
			return !s.exceptive(j, end)
		}
		if s.is(j, markSelf) || s.is(j, markOther) {
			// a subject ends the negation's reach, unless the negation stands right before it: Romanian and Danish
			// negate the verb that carries the person ("nu sunt suicidar", "nu mă gândesc să mă omor")
			return j > 0 && s.boundaryBefore(j) < brkComma && s.is(j-1, markNegation) && !s.exceptive(j-1, end)
		}
		if s.is(j, markNegStop) || s.is(j, markClause) {
			break
		}
	}
	if end < len(s.toks) && s.toks[end].q && s.is(end, markNegation) {
		return true
	}
	return false
}

// exceptive reports whether the negation at j means "only": an exceptive word follows it within two words, in the
// same clause and not past the match that ends at end ("I'm nothing but a burden", "jeg er ikke andet end en byrde",
// "nu sunt decât o povară"; not "n-am fost niciodată suicidar, doar epuizat").
func (s *scan) exceptive(j, end int) bool {
	for k := j + 1; k < end && k <= j+2 && s.boundaryBefore(k) < brkComma; k++ {
		if s.is(k, markExceptive) {
			return true
		}
	}
	return false
}

// exceptiveAt reports an exceptive word used as one: after a negation ("nothing but", not "tired but").
func (s *scan) exceptiveAt(k int) bool {
	if !s.is(k, markExceptive) {
		return false
	}
	for j := k - 1; j >= 0 && j >= k-2; j-- {
		if s.is(j, markNegation) {
			return true
		}
	}
	return false
}

// hypothetical reports an "if" before the match in its sentence ("if I ever felt suicidal, who would I call?") or
// right after it ("I'll kill myself if they put me on nights again": a threat about a rota, worth asking about, not
// the crisis reply). An "if" clause with a negation or a resolve word is not a hedge: "I'd kill myself if it
// weren't for my kids", "if I had the courage".
func (s *scan) hypothetical(start, end int) bool {
	if end < len(s.toks) && s.toks[end].brk < brkComma && s.is(end, markHypothetical) {
		for j := end + 1; j < len(s.toks) && j <= end+5 && s.toks[j].brk < brkComma; j++ {
			if s.is(j, markNegation) || s.is(j, markResolve) {
				return false
			}
		}
		return true
	}
	for j := start - 1; j >= 0 && start-j <= 8; j-- {
		if s.boundaryBefore(j+1) >= brkSentence {
			break
		}
		if s.is(j, markHypothetical) {
			return true
		}
	}
	return false
}

// joking reports a joke marker anywhere in the message: messages are short, and "lol" at the end covers it all.
func (s *scan) joking() bool {
	for i := range s.toks {
		if s.is(i, markJoke) {
			return true
		}
	}
	return false
}
