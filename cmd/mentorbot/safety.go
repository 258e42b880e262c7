package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/m4pris/mentorbot/content"
)

const safetyUsage = `usage: mentorbot safety classify [--lang en|da|ro] < lines
  reads lang<TAB>text lines (plain text lines with --lang), prints outcome<TAB>lang<TAB>text for each
  (crisis, concern, other, none); blank lines and lines starting with # are skipped`

// maxLine bounds one input line; a longer one is reported as a bad line, not read into memory whole.
const maxLine = 64 << 10

// runSafety runs `mentorbot safety classify`: the safety detector over lines of stdin, so the union can try
// wording and a corpus can be scored from outside. A bad line gets a message on stderr and the rest is still
// read; the command fails at the end if any line was bad.
func runSafety(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "classify" {
		return errors.New(safetyUsage)
	}
	fs := flag.NewFlagSet("safety classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "", "language of plain text lines: "+strings.Join(content.Languages, ", "))
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(safetyUsage)
	}
	if *lang != "" && !slices.Contains(content.Languages, *lang) {
		return fmt.Errorf("safety classify: --lang %q: want one of %s", *lang, strings.Join(content.Languages, ", "))
	}
	det, err := content.DefaultDetector()
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	in := bufio.NewReaderSize(stdin, maxLine)
	bad := 0
	for n := 1; ; n++ {
		line, tooLong, err := readLine(in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("safety classify: line %d: %w", n, err)
		}
		report := func(format string, a ...any) {
			bad++
			fmt.Fprintf(stderr, "line %d: "+format+"\n", append([]any{n}, a...)...)
		}
		switch {
		case tooLong:
			report("longer than %d bytes, skipped", maxLine)
			continue
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
			continue
		}
		l, text := *lang, line
		if l == "" {
			var ok bool
			if l, text, ok = strings.Cut(line, "\t"); !ok {
				report("want lang<TAB>text (or give --lang for plain lines)")
				continue
			}
			if !slices.Contains(content.Languages, l) {
				report("language %q: want one of %s", l, strings.Join(content.Languages, ", "))
				continue
			}
		}
		fmt.Fprintf(out, "%s\t%s\t%s\n", det.Classify(l, text).Outcome, l, text)
	}
	if bad > 0 {
		return fmt.Errorf("safety classify: %d bad lines", bad)
	}
	return nil
}

// readLine reads one line without its line ending; tooLong reports a line over the reader's buffer, which is
// consumed to its end.
func readLine(r *bufio.Reader) (line string, tooLong bool, err error) {
	b, isPrefix, err := r.ReadLine()
	if err != nil {
		return "", false, err
	}
	line = strings.TrimSuffix(string(b), "\r")
	for isPrefix {
		tooLong = true
		if _, isPrefix, err = r.ReadLine(); err != nil && err != io.EOF {
			return "", true, err
		}
	}
	return line, tooLong, nil
}
