package provider

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// addError turns an engine error into a diagnostic whose summary names the
// operation and whose detail tells the user what to change and ends with
// the underlying error. An engine FieldError is attached to the attribute
// it names; otherwise the diagnostic goes on fallback (path.Empty() for
// none).
func addError(diags *diag.Diagnostics, summary string, err error, fallback path.Path) {
	var fe *cloudcore.FieldError
	if errors.As(err, &fe) {
		diags.AddAttributeError(fieldPath(fe.Field), summary, hint(err)+fe.Reason+"\n\nError: "+err.Error())
		return
	}
	if fallback.Equal(path.Empty()) {
		diags.AddError(summary, hint(err)+"Error: "+err.Error())
		return
	}
	diags.AddAttributeError(fallback, summary, hint(err)+"Error: "+err.Error())
}

// hint says in a sentence what kind of problem the error is.
func hint(err error) string {
	switch {
	case errors.Is(err, cloudcore.ErrInvalid):
		return "The value is not valid. "
	case errors.Is(err, cloudcore.ErrNoCapacity):
		return "The cloud has no room for this request. "
	case errors.Is(err, cloudcore.ErrConflict):
		return "The request conflicts with the current state of the cloud. "
	case errors.Is(err, cloudcore.ErrNotFound):
		return "Something the request refers to does not exist. "
	case errors.Is(err, cloudcore.ErrUnreachable):
		return "A hypervisor host did not answer; check that it is up and reachable, then apply again. "
	case errors.Is(err, cloudcore.ErrNotSupported):
		return "The hypervisor cannot do this. "
	}
	return ""
}

var fieldStep = regexp.MustCompile(`^([a-z0-9_]+)(?:\[(\d+)\])?$`)

// fieldPath turns an engine field name such as "network[0].ip_address"
// into an attribute path.
func fieldPath(field string) path.Path {
	p := path.Empty()
	for i, step := range strings.Split(field, ".") {
		m := fieldStep.FindStringSubmatch(step)
		if m == nil {
			return path.Empty()
		}
		if i == 0 {
			p = path.Root(m[1])
		} else {
			p = p.AtName(m[1])
		}
		if m[2] != "" {
			n, _ := strconv.Atoi(m[2])
			p = p.AtListIndex(n)
		}
	}
	return p
}
