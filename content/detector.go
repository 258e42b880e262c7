package content

import (
	"errors"
	"io/fs"

	"github.com/m4pris/mentorbot/content/detect"
)

// safetyDir holds the safety rules, one file per language (safety/en.yaml, da.yaml, ro.yaml).
const safetyDir = "safety"

// LoadDetector reads and compiles the safety rules of fsys. Problems include every rule example the detector
// classifies otherwise than its rule says, so a rule edit that breaks its own examples fails the content check.
func LoadDetector(fsys fs.FS) (*detect.Detector, []Problem) {
	sub, err := fs.Sub(fsys, safetyDir)
	if err != nil {
		return nil, []Problem{{safetyDir, err.Error()}}
	}
	det, ps := detect.Load(sub, Languages)
	problems := make([]Problem, 0, len(ps))
	for _, p := range ps {
		problems = append(problems, Problem{safetyDir + "/" + p.File, p.Message})
	}
	return det, problems
}

// DefaultDetector loads the embedded safety rules once.
var DefaultDetector = loadOnce("safety rules", LoadDetector)

// MustDetector is DefaultDetector for wiring and tests; it panics on invalid rules (the content check and the tests
// catch them before a release).
func MustDetector() *detect.Detector {
	d, err := DefaultDetector()
	if err != nil {
		panic(err)
	}
	return d
}

func init() {
	extraChecks = append(extraChecks, func(fsys fs.FS) []Problem {
		if _, err := fs.Stat(fsys, safetyDir); errors.Is(err, fs.ErrNotExist) {
			return nil // not part of this content tree; see the instruments check
		}
		_, p := LoadDetector(fsys)
		return p
	})
}
