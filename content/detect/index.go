package detect

// index finds the patterns that can start at a word: each pattern is listed under the vocabulary ids of its first
// element, so a message's word only tries the few patterns that begin with it instead of every pattern.
type index struct {
	entries  []indexEntry
	starts   [][]int32 // by vocabulary id: entries whose first element matches that id
	floating []int32   // entries whose first element may be missing or is a !word: tried everywhere
}

// indexEntry is one pattern and what it belongs to.
type indexEntry struct {
	p     *pattern
	owner int // a rule's position in language.rules, a guard's in language.guards, or a marker kind
}

func (ix *index) add(p *pattern, owner int, vocab int32) {
	if ix.starts == nil {
		ix.starts = make([][]int32, vocab)
	}
	n := int32(len(ix.entries))
	ix.entries = append(ix.entries, indexEntry{p: p, owner: owner})
	first := &p.elems[0]
	if first.optional || first.not || first.end {
		ix.floating = append(ix.floating, n)
		return
	}
	for _, id := range first.ids {
		ix.starts[id] = append(ix.starts[id], n)
	}
}

// buildIndexes lists the language's patterns: multi-word markers, guards and rules.
func (l *language) buildIndexes() {
	for kind, s := range l.marks {
		if s == nil {
			continue
		}
		for _, p := range s.patterns {
			if len(p.elems) > 1 || p.elems[0].end || p.elems[0].not {
				l.markIndex.add(p, kind, l.nextID)
			}
		}
	}
	for i, g := range l.guards {
		for _, p := range g.patterns {
			l.guardIndex.add(p, i, l.nextID)
		}
	}
	for i, r := range l.rules {
		for _, p := range r.patterns {
			l.ruleIndex.add(p, i, l.nextID)
		}
	}
	// an index never written to still answers lookups
	for _, ix := range []*index{&l.markIndex, &l.guardIndex, &l.ruleIndex} {
		if ix.starts == nil {
			ix.starts = make([][]int32, l.nextID)
		}
	}
}

// eachMatch calls f for every match of the index's patterns in the message, position by position. skip, when it
// returns true for an entry, saves the matching: rules that cannot beat what is already decided.
func (s *scan) eachMatch(ix *index, skip func(*indexEntry) bool, f func(e *indexEntry, start, end int, negated bool)) {
	if cap(s.tried) < len(ix.entries) {
		s.tried = make([]uint32, len(ix.entries))
	}
	s.tried = s.tried[:len(ix.entries)]
	for i := range s.toks {
		s.gen++
		if s.gen == 0 { // wrapped: forget every stamp
			clear(s.tried)
			s.gen = 1
		}
		try := func(n int32) {
			if s.tried[n] == s.gen {
				return // listed under two of this word's ids
			}
			s.tried[n] = s.gen
			e := &ix.entries[n]
			if skip != nil && skip(e) {
				return
			}
			neg := false
			s.start = i
			if end := s.match(e.p, 0, i, 0, &neg); end >= 0 {
				f(e, i, end, neg)
			}
		}
		for _, id := range s.tokIDs(i) {
			for _, n := range ix.starts[id] {
				try(n)
			}
		}
		for _, n := range ix.floating {
			try(n)
		}
	}
}
