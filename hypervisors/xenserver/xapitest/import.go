package xapitest

import (
	"fmt"
	"io"
	"net/http"
	"slices"
)

// serveImportRawVDI implements PUT /import_raw_vdi?session_id=&vdi=
// [&format=raw][&task_id=]: the body becomes the VDI's content.
//
// As with xapi: a missing or invalid session is 401; an unknown format is
// 404 and fails the task with INTERNAL_ERROR ["Unknown format <f>"]; a
// chunked body (without the chunked query parameter) is 403. A body longer
// than the VDI's virtual_size, a VDI attached to a running VM or an invalid
// reference answer 500 and fail the task. On success the answer is 200 with
// a task-id header and the task (if given) succeeds.
func (s *Server) serveImportRawVDI(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	if s.st.sessions[q.Get("session_id")] == nil {
		s.mu.Unlock()
		http.Error(w, "unauthorised", http.StatusUnauthorized)
		return
	}
	t := s.st.tasks[q.Get("task_id")]
	if q.Has("task_id") && t == nil {
		s.mu.Unlock()
		http.Error(w, handleInvalid("task", q.Get("task_id")).Error(), http.StatusInternalServerError)
		return
	}
	if t == nil {
		t = s.newTask("VDI.import", nil, nil, nil)
		t.destroyWhenDone = true
	}
	fail := func(status int, e *apiError) {
		s.finish(t, "", e)
		s.mu.Unlock()
		w.Header().Set("Task-id", t.ref)
		http.Error(w, e.Error(), status)
	}
	format := q.Get("format")
	if format == "" {
		format = "raw"
	}
	if format != "raw" {
		fail(http.StatusNotFound, xerr(errInternal, "Unknown format "+format))
		return
	}
	if slices.Contains(r.TransferEncoding, "chunked") && !q.Has("chunked") {
		fail(http.StatusForbidden, xerr(errInternal, "import code cannot handle encoding: chunked"))
		return
	}
	d := s.st.vdis[q.Get("vdi")]
	if d == nil {
		fail(http.StatusInternalServerError, handleInvalid("VDI", q.Get("vdi")))
		return
	}
	for _, b := range s.st.vbds {
		if b.vdi == d.ref && b.attached && b.mode == "RW" {
			fail(http.StatusInternalServerError, xerr(errVDIInUse, d.ref))
			return
		}
	}
	ref, size := d.ref, d.virtualSize
	s.mu.Unlock()

	data, err := io.ReadAll(io.LimitReader(r.Body, size+1))
	s.mu.Lock()
	switch {
	case err != nil:
		fail(http.StatusInternalServerError, xerr(errInternal, "Caught exception: "+err.Error()))
		return
	case int64(len(data)) > size:
		fail(http.StatusInternalServerError, xerr(errInternal,
			fmt.Sprintf("Caught exception: write beyond the end of the VDI (virtual_size %d)", size)))
		return
	}
	d = s.st.vdis[ref]
	if d == nil {
		fail(http.StatusInternalServerError, handleInvalid("VDI", ref))
		return
	}
	s.st.stored -= d.content.stored()
	d.content = newDisk(data, s.opts.MaxStoredBytes-s.st.stored)
	s.st.stored += d.content.stored()
	s.finish(t, "", nil)
	s.mu.Unlock()
	w.Header().Set("Task-id", t.ref)
	w.WriteHeader(http.StatusOK)
}
