package main

import (
	"strings"
	"testing"
)

const stream = `{"Action":"start","Package":"example/a"}
{"Action":"run","Package":"example/a","Test":"TestOK"}
{"Action":"output","Package":"example/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"example/a","Test":"TestOK","Output":"    a_test.go:9: chatter of a passing test\n"}
{"Action":"output","Package":"example/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"example/a","Test":"TestOK"}
{"Action":"run","Package":"example/a","Test":"TestPG"}
{"Action":"output","Package":"example/a","Test":"TestPG","Output":"=== RUN   TestPG\n"}
{"Action":"output","Package":"example/a","Test":"TestPG","Output":"    pg_test.go:12: MISSING SYSTEM PART PostgreSQL: initdb not found — run ` + "`sudo make deps`" + `\n"}
{"Action":"output","Package":"example/a","Test":"TestPG","Output":"--- SKIP: TestPG (0.00s)\n"}
{"Action":"skip","Package":"example/a","Test":"TestPG"}
{"Action":"run","Package":"example/a","Test":"TestBad"}
{"Action":"output","Package":"example/a","Test":"TestBad","Output":"    a_test.go:20: boom\n"}
{"Action":"output","Package":"example/a","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"example/a","Test":"TestBad"}
{"Action":"output","Package":"example/a","Output":"FAIL\n"}
{"Action":"output","Package":"example/a","Output":"FAIL\texample/a\t0.01s\n"}
{"Action":"fail","Package":"example/a"}
{"ImportPath":"example/b [example/b.test]","Action":"build-output","Output":"b/b.go:3:1: syntax error\n"}
{"ImportPath":"example/b [example/b.test]","Action":"build-fail"}
{"Action":"start","Package":"example/b"}
{"Action":"output","Package":"example/b","Output":"FAIL\texample/b [build failed]\n"}
{"Action":"fail","Package":"example/b","FailedBuild":"example/b [example/b.test]"}
{"Action":"start","Package":"example/c"}
{"Action":"run","Package":"example/c","Test":"TestHang"}
{"Action":"output","Package":"example/c","Test":"TestHang","Output":"panic: test timed out after 1s\n"}
{"Action":"output","Package":"example/c","Output":"FAIL\texample/c\t1.00s\n"}
{"Action":"fail","Package":"example/c"}
{"Action":"start","Package":"example/d"}
{"Action":"output","Package":"example/d","Output":"PASS\n"}
{"Action":"output","Package":"example/d","Output":"ok  \texample/d\t0.01s\n"}
{"Action":"pass","Package":"example/d"}
not json at all
`

func TestSummary(t *testing.T) {
	var out strings.Builder
	ok, err := run(strings.NewReader(stream), &out)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Error("run reported success for a stream with failures")
	}
	got := out.String()
	for _, want := range []string{
		"MISSING SYSTEM PART PostgreSQL",
		"--- SKIP: TestPG",
		"a_test.go:20: boom",
		"--- FAIL: TestBad",
		"FAIL\texample/a\t0.01s",
		"b/b.go:3:1: syntax error",
		"FAIL\texample/b [build failed]",
		"panic: test timed out after 1s\nFAIL\texample/c\t1.00s\n",
		"ok  \texample/d\t0.01s",
		"not json at all",
		"skipped for missing system parts: PostgreSQL (run `sudo make deps`)",
		"packages that failed outside any test (build error, crash or TestMain): example/b example/c",
		"tests: 1 passed, 3 failed, 1 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"chatter of a passing test", "=== RUN", "PASS\n"} {
		if strings.Contains(strings.ReplaceAll(got, "--- PASS", ""), unwanted) {
			t.Errorf("output has %q:\n%s", unwanted, got)
		}
	}
	if !strings.HasSuffix(got, "tests: 1 passed, 3 failed, 1 skipped\n") {
		t.Errorf("output does not close with the count:\n%s", got)
	}
}

func TestSummaryAllPass(t *testing.T) {
	var out strings.Builder
	ok, err := run(strings.NewReader(`{"Action":"run","Package":"p","Test":"T"}
{"Action":"pass","Package":"p","Test":"T"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p"}
`), &out)
	if err != nil || !ok {
		t.Fatalf("run = %v, %v; want success", ok, err)
	}
	if want := "ok  \tp\t0.01s\ntests: 1 passed, 0 failed, 0 skipped\n"; out.String() != want {
		t.Errorf("output = %q, want %q", out.String(), want)
	}
}
