package store

import (
	"fmt"
	"strings"
	"testing"
)

// TestCandidateHostsUseTheFitIndex checks the query plans behind the
// promise of CandidateHosts: with most hosts full, both strategies read
// host_capacity_fit rather than the hosts; with every host free, least
// consumed reads it in order rather than sorting them all (first fit then
// has to look at every host, which the planner may do by a table scan).
func TestCandidateHostsUseTheFitIndex(t *testing.T) {
	explain := map[string]string{"sqlite": "EXPLAIN QUERY PLAN ", "postgres": "EXPLAIN "}
	for _, db := range Databases {
		for _, full := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/mostly_full=%v", db.Name, full), func(t *testing.T) {
				opened, err := Open(t.Context(), db.DSN(t))
				if err != nil {
					t.Fatal(err)
				}
				s := opened.(*sqlStore)
				defer s.Close()
				err = s.Update(t.Context(), func(tx Tx) error {
					for i := range 2000 {
						h := HostCapacity{HostID: fmt.Sprintf("host-%04d", i), ZoneID: fmt.Sprintf("zone-%d", i%2), Allocatable: i%7 != 0,
							CPUTotal: 32000, MemTotal: 65536}
						if full && i%100 != 0 {
							h.MemUsed = h.MemTotal
						}
						if err := tx.PutHostCapacity(t.Context(), h); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.write.db.ExecContext(t.Context(), "ANALYZE"); err != nil {
					t.Fatal(err)
				}
				for strategy, q := range qCandidates {
					plan := explainPlan(t, s, explain[db.Name]+queryTexts[q], "zone-1", 2048, 1000, 8)
					indexed := strings.Contains(plan, "host_capacity_fit")
					sorts := strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort")
					switch {
					case full && !indexed:
						t.Errorf("%s does not use host_capacity_fit:\n%s", strategy, plan)
					case !full && strategy == LeastConsumed && (!indexed || sorts):
						t.Errorf("%s does not read host_capacity_fit in order:\n%s", strategy, plan)
					}
				}
			})
		}
	}
}

func explainPlan(t *testing.T, s *sqlStore, query string, args ...any) string {
	rows, err := s.read.db.QueryContext(t.Context(), s.d.rebind(query), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(vals[len(vals)-1] + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String()
}
