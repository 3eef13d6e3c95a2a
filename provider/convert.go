package provider

import (
	"context"
	"net/netip"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// strings reads a list of strings (nil when null).
func stringsOf(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

// stringList makes a list value of strings; an empty input gives an empty
// list, not null, unless nullIfEmpty.
func stringList(in []string, nullIfEmpty bool) types.List {
	if len(in) == 0 && nullIfEmpty {
		return types.ListNull(types.StringType)
	}
	vals := make([]types.String, len(in))
	for i, s := range in {
		vals[i] = types.StringValue(s)
	}
	l, _ := types.ListValueFrom(context.Background(), types.StringType, vals)
	return l
}

// addrList makes a list value of addresses.
func addrList(in []netip.Addr, nullIfEmpty bool) types.List {
	s := make([]string, len(in))
	for i, a := range in {
		s[i] = a.String()
	}
	return stringList(s, nullIfEmpty)
}

// ptr returns a pointer to the value of a known attribute, nil otherwise:
// the shape of the engine's update requests.
func strPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func boolPtr(v types.Bool) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
}

// gib is the number of bytes in a GiB; attributes count storage in GiB,
// the engine in bytes.
const gib = 1 << 30

// maxGiB is the largest GiB count whose byte count fits in an int64.
const maxGiB = (1<<63 - 1) / gib

// nullWhenEmpty maps the engine's "" (not set) to a null attribute.
func nullWhenEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
