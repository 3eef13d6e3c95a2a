package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// zoneLookup adds to attrs the attributes by which a data source finds an
// object of a zone: its `id` (a UUID of what, e.g. "a network"), or
// `zone_id` together with `name` (checked by nameCheck). noun names the
// object in the descriptions.
func zoneLookup(noun, what string, nameCheck validator.String, attrs map[string]schema.Attribute) map[string]schema.Attribute {
	attrs["id"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The " + noun + "'s UUID. Give either `id`, or `zone_id` and `name`.",
		Validators:          []validator.String{uuidOf(what)},
	}
	attrs["zone_id"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The UUID of the " + noun + "'s zone; with `name`, selects the " + noun + ".",
		Validators:          []validator.String{uuidOf("a zone")},
	}
	attrs["name"] = schema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: "The " + noun + "'s name, unique in its zone; with `zone_id`, selects the " + noun + ".",
		Validators:          []validator.String{nameCheck},
	}
	return attrs
}

// zoneLookupValidators require exactly one way of finding the object:
// `id`, or `zone_id` with `name`.
func zoneLookupValidators() []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("zone_id"), path.MatchRoot("name")),
	}
}

// lookUpInZone reads the object a zoneLookup data source selects: by id
// when it is set, else by zone and name.
func lookUpInZone[O any](ctx context.Context, id, zoneID, name types.String,
	get func(context.Context, string) (O, error), getByName func(context.Context, string, string) (O, error)) (O, error) {
	if !id.IsNull() {
		return get(ctx, id.ValueString())
	}
	return getByName(ctx, zoneID.ValueString(), name.ValueString())
}
