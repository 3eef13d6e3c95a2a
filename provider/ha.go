package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// haModel is the `ha` attribute of zones and clusters: the HA monitor's
// settings. A null field inherits (a cluster's from its zone, a zone's from
// the defaults).
type haModel struct {
	PingInterval          types.String  `tfsdk:"ping_interval"`
	PingTimeout           types.String  `tfsdk:"ping_timeout"`
	InvestigationAttempts types.Int64   `tfsdk:"investigation_attempts"`
	FenceTimeout          types.String  `tfsdk:"fence_timeout"`
	RestartRetries        types.Int64   `tfsdk:"restart_retries"`
	MaxFenceFraction      types.Float64 `tfsdk:"max_fence_fraction"`
}

// haAttribute is the schema of the `ha` attribute; inherits says where
// unset settings come from.
func haAttribute(inherits string) schema.SingleNestedAttribute {
	d := cloudcore.DefaultHASettings
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Settings of the HA monitor (`cloudcore serve`) for the hosts and HA instances here. Every " +
			"setting left out is taken from " + inherits + ". Changes happen in place and apply from the monitor's next " +
			"check. See the High availability guide.",
		Validators: []validator.Object{haCheck{}},
		Attributes: map[string]schema.Attribute{
			"ping_interval": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How often each host is checked, as a duration such as `30s` or `1m`. "+
					"Default `%s`.", d.PingInterval),
				Validators: []validator.String{duration(100 * time.Millisecond)},
			},
			"ping_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long a host may go unanswered before it is Suspect and "+
					"investigated; at least `ping_interval`. Default `%s`.", d.PingTimeout),
				Validators: []validator.String{duration(100 * time.Millisecond)},
			},
			"investigation_attempts": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many answering hosts of the cluster are asked whether a Suspect "+
					"host still runs before it is fenced. Default `%d`.", d.InvestigationAttempts),
				Validators: []validator.Int64{int64validator.Between(1, 100)},
			},
			"fence_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long one attempt to power a host off (through its BMC or its "+
					"driver) may take. Default `%s`.", d.FenceTimeout),
				Validators: []validator.String{duration(time.Second)},
			},
			"restart_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many times an HA instance of a fenced host is tried on other hosts "+
					"(one try per ping interval) before it is put in Error. Default `%d`.", d.RestartRetries),
				Validators: []validator.Int64{int64validator.Between(1, 1000)},
			},
			"max_fence_fraction": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The largest fraction of the cluster's hosts that may look down at "+
					"once for any of them to be fenced; beyond it nothing is fenced and an alert is raised, since so many "+
					"hosts failing together is more likely a partition of the management network. Above 0, at most 1. "+
					"Default `%v`.", d.MaxFenceFraction),
				Validators: []validator.Float64{float64validator.Between(0.01, 1)},
			},
		},
	}
}

// settings converts the model (nil: all inherited) to the engine's.
func (m *haModel) settings() cloudcore.HASettings {
	if m == nil {
		return cloudcore.HASettings{}
	}
	return cloudcore.HASettings{
		PingInterval:          durationOf(m.PingInterval),
		PingTimeout:           durationOf(m.PingTimeout),
		InvestigationAttempts: int(m.InvestigationAttempts.ValueInt64()),
		FenceTimeout:          durationOf(m.FenceTimeout),
		RestartRetries:        int(m.RestartRetries.ValueInt64()),
		MaxFenceFraction:      m.MaxFenceFraction.ValueFloat64(),
	}
}

// haModelOf converts the engine's settings; prior is the configured model,
// whose duration spellings ("90s" for 1m30s) are kept. All-inherited
// settings are null unless prior was set.
func haModelOf(s cloudcore.HASettings, prior *haModel) *haModel {
	if s == (cloudcore.HASettings{}) && prior == nil {
		return nil
	}
	if prior == nil {
		prior = &haModel{}
	}
	return &haModel{
		PingInterval:          durationValue(s.PingInterval, prior.PingInterval),
		PingTimeout:           durationValue(s.PingTimeout, prior.PingTimeout),
		InvestigationAttempts: nullWhenZero(int64(s.InvestigationAttempts)),
		FenceTimeout:          durationValue(s.FenceTimeout, prior.FenceTimeout),
		RestartRetries:        nullWhenZero(int64(s.RestartRetries)),
		MaxFenceFraction:      nullWhenZeroFloat(s.MaxFenceFraction),
	}
}

// durationOf parses a validated duration attribute; null is 0.
func durationOf(v types.String) time.Duration {
	d, _ := time.ParseDuration(v.ValueString())
	return d
}

// durationValue is d as an attribute: null for 0, prior's spelling when it
// means d.
func durationValue(d time.Duration, prior types.String) types.String {
	switch {
	case d == 0:
		return types.StringNull()
	case !prior.IsNull() && !prior.IsUnknown() && durationOf(prior) == d:
		return prior
	}
	return types.StringValue(d.String())
}

func nullWhenZero(n int64) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(n)
}

func nullWhenZeroFloat(f float64) types.Float64 {
	if f == 0 {
		return types.Float64Null()
	}
	return types.Float64Value(f)
}

// duration accepts a Go duration ("90s", "1m30s") of at least min.
func duration(min time.Duration) validator.String {
	return stringCheck{fmt.Sprintf("must be a duration of at least %s, such as 30s or 2m", min), func(s string) string {
		d, err := time.ParseDuration(s)
		switch {
		case err != nil:
			return fmt.Sprintf("%q is not a duration; write a number with a unit, such as 30s, 2m or 1m30s", s)
		case d < min:
			return fmt.Sprintf("%s is too short; use at least %s, or leave it out to inherit", s, min)
		}
		return ""
	}}
}

// haCheck validates the `ha` object as a whole with the engine's own rules
// (ping_timeout at least ping_interval, ...), at plan time.
type haCheck struct{}

var _ validator.Object = haCheck{}

func (haCheck) Description(context.Context) string {
	return "must be settings the HA monitor accepts"
}
func (v haCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (haCheck) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, v := range req.ConfigValue.Attributes() {
		if v.IsUnknown() {
			return // apply validates it
		}
	}
	var m haModel
	if diags := req.ConfigValue.As(ctx, &m, basetypes.ObjectAsOptions{}); diags.HasError() {
		return
	}
	err := m.settings().Validate()
	var fe *cloudcore.FieldError
	if errors.As(err, &fe) {
		resp.Diagnostics.AddAttributeError(req.Path.AtName(strings.TrimPrefix(fe.Field, "ha.")),
			"Invalid HA Settings", fe.Field+": "+fe.Reason)
	}
}
