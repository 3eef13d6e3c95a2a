// Command testsummary reads `go test -json` on standard input and prints what
// a quiet `go test` prints (one line per package, the full output of every
// failed test, build errors), plus every skipped test with its reason, so a
// test tier that skipped because a system part is missing is never silent.
//
// It closes with a count of tests and, when tiers were skipped because a
// system part is missing, the list of those parts:
//
//	tests: 212 passed, 0 failed, 4 skipped
//
// The exit status is 1 when a test or a package failed, 0 otherwise.
//
//	go test -json ./... | go run ./scripts/testsummary
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// event is the union of test2json's TestEvent and go build's BuildEvent.
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string
	FailedBuild string
}

// missingPart matches the line internal/testenv prints for a missing part.
var missingPart = regexp.MustCompile(`MISSING SYSTEM PART (.+?): `)

type summary struct {
	out io.Writer

	passed, failed, skipped int
	// buffered output of tests that have not finished, by package and test.
	pending map[string]map[string]*strings.Builder
	// packages with at least one failed test.
	testFailed map[string]bool
	// packages that failed with no failed test (build error, crash, TestMain).
	failedPkgs []string
	missing    map[string]bool
}

func newSummary(out io.Writer) *summary {
	return &summary{
		out:        out,
		pending:    map[string]map[string]*strings.Builder{},
		testFailed: map[string]bool{},
		missing:    map[string]bool{},
	}
}

// quiet reports whether a line of a test's own output is only progress
// noise that a non-verbose go test would not print either.
func quiet(line string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(strings.TrimLeft(line, " "), p) {
			return true
		}
	}
	return false
}

func (s *summary) buffer(pkg, test string) *strings.Builder {
	tests := s.pending[pkg]
	if tests == nil {
		tests = map[string]*strings.Builder{}
		s.pending[pkg] = tests
	}
	b := tests[test]
	if b == nil {
		b = &strings.Builder{}
		tests[test] = b
	}
	return b
}

func (s *summary) take(pkg, test string) string {
	b := s.pending[pkg][test]
	delete(s.pending[pkg], test)
	if b == nil {
		return ""
	}
	return b.String()
}

func (s *summary) line(raw string) {
	var e event
	if !strings.HasPrefix(raw, "{") || json.Unmarshal([]byte(raw), &e) != nil {
		fmt.Fprintln(s.out, raw) // not JSON: never swallow it
		return
	}
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.out, e.Output)
	case e.Action == "build-fail":
		// The package's own "fail" event follows and is counted there.
	case e.Test == "":
		s.packageEvent(e)
	default:
		s.testEvent(e)
	}
}

func (s *summary) packageEvent(e event) {
	switch e.Action {
	case "output":
		if e.Output == "PASS\n" || quiet(e.Output) {
			return
		}
		if strings.HasPrefix(e.Output, "FAIL") {
			s.flushUnfinished(e.Package)
		}
		fmt.Fprint(s.out, e.Output)
	case "fail":
		s.flushUnfinished(e.Package)
		if !s.testFailed[e.Package] {
			s.failedPkgs = append(s.failedPkgs, e.Package)
		}
		delete(s.pending, e.Package)
	case "pass", "skip":
		delete(s.pending, e.Package)
	}
}

// flushUnfinished prints the output of the package's tests that never
// finished (a panic, a timeout, os.Exit): it is the reason the package failed.
func (s *summary) flushUnfinished(pkg string) {
	names := make([]string, 0, len(s.pending[pkg]))
	for name := range s.pending[pkg] {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprint(s.out, s.take(pkg, name))
	}
}

func (s *summary) testEvent(e event) {
	switch e.Action {
	case "run":
		s.buffer(e.Package, e.Test)
	case "output":
		if !quiet(e.Output) {
			s.buffer(e.Package, e.Test).WriteString(e.Output)
		}
	case "pass":
		s.passed++
		s.take(e.Package, e.Test)
	case "fail":
		s.failed++
		s.testFailed[e.Package] = true
		fmt.Fprint(s.out, s.take(e.Package, e.Test))
	case "skip":
		s.skipped++
		out := s.take(e.Package, e.Test)
		for _, m := range missingPart.FindAllStringSubmatch(out, -1) {
			s.missing[m[1]] = true
		}
		fmt.Fprint(s.out, out)
	case "bench":
		fmt.Fprint(s.out, s.take(e.Package, e.Test))
	}
}

// finish prints the closing lines and reports whether everything passed.
func (s *summary) finish() bool {
	failed := s.failed + len(s.failedPkgs)
	if len(s.failedPkgs) > 0 {
		fmt.Fprintf(s.out, "packages that failed outside any test (build error, crash or TestMain): %s\n",
			strings.Join(s.failedPkgs, " "))
	}
	if len(s.missing) > 0 {
		parts := make([]string, 0, len(s.missing))
		for p := range s.missing {
			parts = append(parts, p)
		}
		sort.Strings(parts)
		fmt.Fprintf(s.out, "skipped for missing system parts: %s (run `sudo make deps`)\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(s.out, "tests: %d passed, %d failed, %d skipped\n", s.passed, failed, s.skipped)
	return failed == 0
}

func run(in io.Reader, out io.Writer) (bool, error) {
	s := newSummary(out)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		s.line(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	return s.finish(), nil
}

func main() {
	w := bufio.NewWriter(os.Stdout)
	ok, err := run(os.Stdin, flushingWriter{w})
	_ = w.Flush()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// flushingWriter flushes after every write so output appears as tests end.
type flushingWriter struct{ w *bufio.Writer }

func (f flushingWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.w.Flush()
}
