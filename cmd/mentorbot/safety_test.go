package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestSafetyClassify(t *testing.T) {
	for _, c := range []struct {
		name, args, in   string
		out, errOut, err string
	}{
		{
			name: "issue example",
			args: "safety classify",
			in:   "en\tI am suicidal\n",
			out:  "crisis\ten\tI am suicidal\n",
		},
		{
			name: "each outcome, comments and blank lines skipped, CRLF",
			args: "safety classify",
			in: "# a corpus header\r\nen\teveryone would be better off without me\r\n\r\n" +
				"da\tfandt en indsat hængt på cellen i morges\nro\tmor de oboseală\nen\ttabs\tinside the text\n",
			out: "concern\ten\teveryone would be better off without me\n" +
				"other\tda\tfandt en indsat hængt på cellen i morges\nnone\tro\tmor de oboseală\n" +
				"none\ten\ttabs\tinside the text\n",
		},
		{
			name: "plain lines with --lang",
			args: "safety classify --lang da",
			in:   "jeg slår mig ihjel i aften\ndødtræt\n",
			out:  "crisis\tda\tjeg slår mig ihjel i aften\nnone\tda\tdødtræt\n",
		},
		{
			name:   "bad lines are reported and the rest is read",
			args:   "safety classify",
			in:     "no tab here\nxx\thello\nro\tm-am tăiat din nou",
			out:    "crisis\tro\tm-am tăiat din nou\n",
			errOut: "line 1: want lang<TAB>text (or give --lang for plain lines)\nline 2: language \"xx\": want one of en, da, ro\n",
			err:    "safety classify: 2 bad lines",
		},
		{
			name:   "a line too long to hold",
			args:   "safety classify --lang en",
			in:     strings.Repeat("a", maxLine+10) + "\nI want to die\n",
			out:    "crisis\ten\tI want to die\n",
			errOut: "line 1: longer than 65536 bytes, skipped\n",
			err:    "safety classify: 1 bad lines",
		},
		{name: "unknown language flag", args: "safety classify --lang de", err: `--lang "de"`},
		{name: "no subcommand", args: "safety", err: "usage: mentorbot safety classify"},
		{name: "extra argument", args: "safety classify now", err: "usage: mentorbot safety classify"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), strings.Fields(c.args), strings.NewReader(c.in), &out, &errOut, env(nil))
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("error %v, want %q", err, c.err)
			}
			if out.String() != c.out {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), c.out)
			}
			if c.errOut != "" && errOut.String() != c.errOut {
				t.Errorf("stderr:\n%s\nwant:\n%s", errOut.String(), c.errOut)
			}
		})
	}
}
