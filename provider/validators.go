package provider

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/oobm"
)

// stringCheck is a string validator from a function that explains what is
// wrong with a value ("" when it is fine).
type stringCheck struct {
	description string
	check       func(string) string
}

var _ validator.String = stringCheck{}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if why := v.check(req.ConfigValue.ValueString()); why != "" {
		if len(req.Path.Steps()) > 1 {
			// Terraform points at the enclosing block only: name the field.
			why = req.Path.String() + ": " + why
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value", why)
	}
}

// ipAddress accepts an IPv4 or IPv6 address.
func ipAddress() validator.String {
	return stringCheck{"must be an IP address", func(s string) string {
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Sprintf("%q is not an IP address, e.g. 10.0.0.1 or 2001:db8::1", s)
		}
		return ""
	}}
}

// cidr accepts a canonical prefix such as 10.1.0.0/24.
func cidr() validator.String {
	return stringCheck{"must be a network in CIDR notation with the host bits zero", func(s string) string {
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil:
			return fmt.Sprintf("%q is not in CIDR notation, e.g. 10.1.0.0/24", s)
		case p.Masked() != p:
			return fmt.Sprintf("%q has host bits set; did you mean %q?", s, p.Masked().String())
		}
		return ""
	}}
}

// urlWithScheme accepts a URL whose scheme is one of schemes.
func urlWithScheme(schemes ...string) validator.String {
	return stringCheck{fmt.Sprintf("must be a URL with scheme %v", schemes), func(s string) string {
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			return fmt.Sprintf("%q is not a URL; use a URL with scheme %v", s, schemes)
		}
		for _, sc := range schemes {
			if u.Scheme == sc {
				return ""
			}
		}
		return fmt.Sprintf("scheme %q is not allowed here; use one of %v", u.Scheme, schemes)
	}}
}

// name accepts the names cloudcore objects take: 1 to 255 printable
// characters without surrounding spaces.
func name() validator.String {
	return stringvalidator.All(
		stringvalidator.LengthBetween(1, 255),
		stringvalidator.RegexMatches(regexp.MustCompile(`^\S(.*\S)?$`), "must not start or end with spaces"),
	)
}

// hostname accepts an instance name, which becomes the guest's host name.
func hostname() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`),
		"must be a host name: 1 to 63 letters, digits and hyphens, starting with a letter and not ending with a hyphen")
}

// uuidOf accepts the UUID of an object of the kind named by what.
func uuidOf(what string) validator.String {
	return stringCheck{"must be the UUID of " + what, func(s string) string {
		if _, err := uuid.Parse(s); err != nil {
			return fmt.Sprintf("%q is not a UUID; refer to the ID of %s, e.g. its resource's `id` attribute", s, what)
		}
		return ""
	}}
}

// allHostURLSchemes is every scheme of the engine's HostURLSchemes, sorted.
func allHostURLSchemes() []string {
	var out []string
	for _, schemes := range cloudcore.HostURLSchemes {
		for _, s := range schemes {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// bmcAddress accepts a BMC address as the engine does: a host name or IP,
// with an optional port.
func bmcAddress() validator.String {
	return stringCheck{"must be a host name or IP address with an optional port", func(s string) string {
		if _, _, err := oobm.ParseAddress(s); err != nil {
			return err.Error()
		}
		return ""
	}}
}
