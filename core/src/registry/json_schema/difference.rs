//! The differences Confluent's registry names between two JSON Schemas, which of them a
//! reader of the old data tolerates (under the STRICT and the LENIENT policy), and the
//! message the registry returns for each.

use alloc::string::String;

macro_rules! change_kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// A kind of difference, with the registry's name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ChangeKind {
            $(
                #[doc = $name]
                $variant,
            )*
        }

        impl ChangeKind {
            /// Every kind, in the registry's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The registry's name: `TYPE_CHANGED`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

change_kinds! {
    IdChanged => "ID_CHANGED",
    DescriptionChanged => "DESCRIPTION_CHANGED",
    TitleChanged => "TITLE_CHANGED",
    DefaultChanged => "DEFAULT_CHANGED",
    SchemaAdded => "SCHEMA_ADDED",
    SchemaRemoved => "SCHEMA_REMOVED",
    TypeExtended => "TYPE_EXTENDED",
    TypeNarrowed => "TYPE_NARROWED",
    TypeChanged => "TYPE_CHANGED",
    MaxLengthAdded => "MAX_LENGTH_ADDED",
    MaxLengthRemoved => "MAX_LENGTH_REMOVED",
    MaxLengthIncreased => "MAX_LENGTH_INCREASED",
    MaxLengthDecreased => "MAX_LENGTH_DECREASED",
    MinLengthAdded => "MIN_LENGTH_ADDED",
    MinLengthRemoved => "MIN_LENGTH_REMOVED",
    MinLengthIncreased => "MIN_LENGTH_INCREASED",
    MinLengthDecreased => "MIN_LENGTH_DECREASED",
    PatternAdded => "PATTERN_ADDED",
    PatternRemoved => "PATTERN_REMOVED",
    PatternChanged => "PATTERN_CHANGED",
    MaximumAdded => "MAXIMUM_ADDED",
    MaximumRemoved => "MAXIMUM_REMOVED",
    MaximumIncreased => "MAXIMUM_INCREASED",
    MaximumDecreased => "MAXIMUM_DECREASED",
    MinimumAdded => "MINIMUM_ADDED",
    MinimumRemoved => "MINIMUM_REMOVED",
    MinimumIncreased => "MINIMUM_INCREASED",
    MinimumDecreased => "MINIMUM_DECREASED",
    ExclusiveMaximumAdded => "EXCLUSIVE_MAXIMUM_ADDED",
    ExclusiveMaximumRemoved => "EXCLUSIVE_MAXIMUM_REMOVED",
    ExclusiveMaximumIncreased => "EXCLUSIVE_MAXIMUM_INCREASED",
    ExclusiveMaximumDecreased => "EXCLUSIVE_MAXIMUM_DECREASED",
    ExclusiveMinimumAdded => "EXCLUSIVE_MINIMUM_ADDED",
    ExclusiveMinimumRemoved => "EXCLUSIVE_MINIMUM_REMOVED",
    ExclusiveMinimumIncreased => "EXCLUSIVE_MINIMUM_INCREASED",
    ExclusiveMinimumDecreased => "EXCLUSIVE_MINIMUM_DECREASED",
    MultipleOfAdded => "MULTIPLE_OF_ADDED",
    MultipleOfRemoved => "MULTIPLE_OF_REMOVED",
    MultipleOfExpanded => "MULTIPLE_OF_EXPANDED",
    MultipleOfReduced => "MULTIPLE_OF_REDUCED",
    MultipleOfChanged => "MULTIPLE_OF_CHANGED",
    RequiredAttributeAdded => "REQUIRED_ATTRIBUTE_ADDED",
    RequiredAttributeWithDefaultAdded => "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
    RequiredAttributeRemoved => "REQUIRED_ATTRIBUTE_REMOVED",
    MaxPropertiesAdded => "MAX_PROPERTIES_ADDED",
    MaxPropertiesRemoved => "MAX_PROPERTIES_REMOVED",
    MaxPropertiesIncreased => "MAX_PROPERTIES_INCREASED",
    MaxPropertiesDecreased => "MAX_PROPERTIES_DECREASED",
    MinPropertiesAdded => "MIN_PROPERTIES_ADDED",
    MinPropertiesRemoved => "MIN_PROPERTIES_REMOVED",
    MinPropertiesIncreased => "MIN_PROPERTIES_INCREASED",
    MinPropertiesDecreased => "MIN_PROPERTIES_DECREASED",
    AdditionalPropertiesAdded => "ADDITIONAL_PROPERTIES_ADDED",
    AdditionalPropertiesRemoved => "ADDITIONAL_PROPERTIES_REMOVED",
    AdditionalPropertiesExtended => "ADDITIONAL_PROPERTIES_EXTENDED",
    AdditionalPropertiesNarrowed => "ADDITIONAL_PROPERTIES_NARROWED",
    DependencyArrayAdded => "DEPENDENCY_ARRAY_ADDED",
    DependencyArrayRemoved => "DEPENDENCY_ARRAY_REMOVED",
    DependencyArrayExtended => "DEPENDENCY_ARRAY_EXTENDED",
    DependencyArrayNarrowed => "DEPENDENCY_ARRAY_NARROWED",
    DependencyArrayChanged => "DEPENDENCY_ARRAY_CHANGED",
    DependencySchemaAdded => "DEPENDENCY_SCHEMA_ADDED",
    DependencySchemaRemoved => "DEPENDENCY_SCHEMA_REMOVED",
    PropertyAddedToOpenContentModel => "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    RequiredPropertyAddedToOpenContentModel => "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    RequiredPropertyWithDefaultAddedToOpenContentModel => "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
    OptionalPropertyAddedToOpenContentModel => "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    PropertyWithEmptySchemaAddedToOpenContentModel => "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    RequiredPropertyAddedToUnopenContentModel => "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    RequiredPropertyWithDefaultAddedToUnopenContentModel => "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
    OptionalPropertyAddedToUnopenContentModel => "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    PropertyRemovedFromOpenContentModel => "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
    PropertyWithFalseRemovedFromClosedContentModel => "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    PropertyRemovedFromClosedContentModel => "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    PropertyRemovedIsCoveredByPartiallyOpenContentModel => "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    PropertyRemovedNotCoveredByPartiallyOpenContentModel => "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    PropertyAddedIsCoveredByPartiallyOpenContentModel => "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    PropertyAddedNotCoveredByPartiallyOpenContentModel => "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ReservedPropertyRemoved => "RESERVED_PROPERTY_REMOVED",
    ReservedPropertyConflictsWithProperty => "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY",
    UnevaluatedPropertiesAdded => "UNEVALUATED_PROPERTIES_ADDED",
    UnevaluatedPropertiesRemoved => "UNEVALUATED_PROPERTIES_REMOVED",
    UnevaluatedPropertiesExtended => "UNEVALUATED_PROPERTIES_EXTENDED",
    UnevaluatedPropertiesNarrowed => "UNEVALUATED_PROPERTIES_NARROWED",
    MaxItemsAdded => "MAX_ITEMS_ADDED",
    MaxItemsRemoved => "MAX_ITEMS_REMOVED",
    MaxItemsIncreased => "MAX_ITEMS_INCREASED",
    MaxItemsDecreased => "MAX_ITEMS_DECREASED",
    MinItemsAdded => "MIN_ITEMS_ADDED",
    MinItemsRemoved => "MIN_ITEMS_REMOVED",
    MinItemsIncreased => "MIN_ITEMS_INCREASED",
    MinItemsDecreased => "MIN_ITEMS_DECREASED",
    MaxContainsAdded => "MAX_CONTAINS_ADDED",
    MaxContainsRemoved => "MAX_CONTAINS_REMOVED",
    MaxContainsIncreased => "MAX_CONTAINS_INCREASED",
    MaxContainsDecreased => "MAX_CONTAINS_DECREASED",
    MinContainsAdded => "MIN_CONTAINS_ADDED",
    MinContainsRemoved => "MIN_CONTAINS_REMOVED",
    MinContainsIncreased => "MIN_CONTAINS_INCREASED",
    MinContainsDecreased => "MIN_CONTAINS_DECREASED",
    UniqueItemsAdded => "UNIQUE_ITEMS_ADDED",
    UniqueItemsRemoved => "UNIQUE_ITEMS_REMOVED",
    AdditionalItemsAdded => "ADDITIONAL_ITEMS_ADDED",
    AdditionalItemsRemoved => "ADDITIONAL_ITEMS_REMOVED",
    AdditionalItemsExtended => "ADDITIONAL_ITEMS_EXTENDED",
    AdditionalItemsNarrowed => "ADDITIONAL_ITEMS_NARROWED",
    UnevaluatedItemsAdded => "UNEVALUATED_ITEMS_ADDED",
    UnevaluatedItemsRemoved => "UNEVALUATED_ITEMS_REMOVED",
    UnevaluatedItemsExtended => "UNEVALUATED_ITEMS_EXTENDED",
    UnevaluatedItemsNarrowed => "UNEVALUATED_ITEMS_NARROWED",
    ItemAddedToOpenContentModel => "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
    ItemWithEmptySchemaAddedToOpenContentModel => "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    ItemAddedToClosedContentModel => "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
    ItemRemovedFromOpenContentModel => "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
    ItemWithFalseRemovedFromClosedContentModel => "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ItemRemovedFromClosedContentModel => "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ItemRemovedIsCoveredByPartiallyOpenContentModel => "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ItemRemovedNotCoveredByPartiallyOpenContentModel => "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ItemAddedIsCoveredByPartiallyOpenContentModel => "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ItemAddedNotCoveredByPartiallyOpenContentModel => "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    EnumArrayExtended => "ENUM_ARRAY_EXTENDED",
    EnumArrayNarrowed => "ENUM_ARRAY_NARROWED",
    EnumArrayChanged => "ENUM_ARRAY_CHANGED",
    CombinedTypeExtended => "COMBINED_TYPE_EXTENDED",
    CombinedTypeChanged => "COMBINED_TYPE_CHANGED",
    ProductTypeExtended => "PRODUCT_TYPE_EXTENDED",
    ProductTypeNarrowed => "PRODUCT_TYPE_NARROWED",
    SumTypeExtended => "SUM_TYPE_EXTENDED",
    SumTypeNarrowed => "SUM_TYPE_NARROWED",
    CombinedTypeSubschemasChanged => "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
    NotTypeExtended => "NOT_TYPE_EXTENDED",
    NotTypeNarrowed => "NOT_TYPE_NARROWED",
}

/// Which changes count as compatible: the registry's `compatibilityPolicy` config (STRICT
/// by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// Adding an optional property to an open content model is incompatible.
    #[default]
    Strict,
    /// It, and a few other open-model changes, are compatible.
    Lenient,
}

impl Policy {
    /// Both policies, by name.
    pub const ALL: [Self; 2] = [Self::Strict, Self::Lenient];

    /// The registry's name: `STRICT`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Strict => "STRICT",
            Self::Lenient => "LENIENT",
        }
    }

    /// Parses a name, in any case, as the registry does.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

impl ChangeKind {
    /// Whether a reader of data written with the original schema tolerates this change.
    pub fn is_compatible(self, policy: Policy) -> bool {
        matches!(
            self,
            Self::IdChanged
                | Self::DescriptionChanged
                | Self::TitleChanged
                | Self::DefaultChanged
                | Self::SchemaRemoved
                | Self::TypeExtended
                | Self::MaxLengthIncreased
                | Self::MaxLengthRemoved
                | Self::MinLengthDecreased
                | Self::MinLengthRemoved
                | Self::PatternRemoved
                | Self::MaximumIncreased
                | Self::MaximumRemoved
                | Self::MinimumDecreased
                | Self::MinimumRemoved
                | Self::ExclusiveMaximumIncreased
                | Self::ExclusiveMaximumRemoved
                | Self::ExclusiveMinimumDecreased
                | Self::ExclusiveMinimumRemoved
                | Self::MultipleOfReduced
                | Self::MultipleOfRemoved
                | Self::RequiredAttributeWithDefaultAdded
                | Self::RequiredAttributeRemoved
                | Self::DependencyArrayNarrowed
                | Self::DependencyArrayRemoved
                | Self::DependencySchemaRemoved
                | Self::MaxPropertiesIncreased
                | Self::MaxPropertiesRemoved
                | Self::MinPropertiesDecreased
                | Self::MinPropertiesRemoved
                | Self::AdditionalPropertiesAdded
                | Self::AdditionalPropertiesExtended
                | Self::UnevaluatedPropertiesAdded
                | Self::UnevaluatedPropertiesExtended
                | Self::PropertyWithEmptySchemaAddedToOpenContentModel
                | Self::RequiredPropertyWithDefaultAddedToUnopenContentModel
                | Self::OptionalPropertyAddedToUnopenContentModel
                | Self::PropertyWithFalseRemovedFromClosedContentModel
                | Self::PropertyRemovedFromOpenContentModel
                | Self::PropertyAddedIsCoveredByPartiallyOpenContentModel
                | Self::PropertyRemovedIsCoveredByPartiallyOpenContentModel
                | Self::MaxItemsIncreased
                | Self::MaxItemsRemoved
                | Self::MinItemsDecreased
                | Self::MinItemsRemoved
                | Self::MaxContainsIncreased
                | Self::MaxContainsRemoved
                | Self::MinContainsDecreased
                | Self::MinContainsRemoved
                | Self::UniqueItemsRemoved
                | Self::AdditionalItemsAdded
                | Self::AdditionalItemsExtended
                | Self::UnevaluatedItemsAdded
                | Self::UnevaluatedItemsExtended
                | Self::ItemWithEmptySchemaAddedToOpenContentModel
                | Self::ItemAddedToClosedContentModel
                | Self::ItemWithFalseRemovedFromClosedContentModel
                | Self::ItemRemovedFromOpenContentModel
                | Self::ItemAddedIsCoveredByPartiallyOpenContentModel
                | Self::ItemRemovedIsCoveredByPartiallyOpenContentModel
                | Self::EnumArrayExtended
                | Self::CombinedTypeExtended
                | Self::ProductTypeNarrowed
                | Self::SumTypeExtended
                | Self::NotTypeNarrowed
        ) || (policy == Policy::Lenient
            && matches!(
                self,
                Self::AdditionalPropertiesNarrowed
                    | Self::AdditionalPropertiesRemoved
                    | Self::UnevaluatedPropertiesNarrowed
                    | Self::UnevaluatedPropertiesRemoved
                    | Self::RequiredPropertyWithDefaultAddedToOpenContentModel
                    | Self::OptionalPropertyAddedToOpenContentModel
                    | Self::PropertyRemovedFromOpenContentModel
                    | Self::PropertyRemovedFromClosedContentModel
                    | Self::PropertyAddedNotCoveredByPartiallyOpenContentModel
                    | Self::PropertyRemovedNotCoveredByPartiallyOpenContentModel
            ))
    }

    /// The registry's description, with `%s` for the two schemas' roles.
    fn template(self, path: &str) -> String {
        let t = match self {
            Self::MaximumAdded | Self::MinimumAdded | Self::ExclusiveMaximumAdded | Self::ExclusiveMinimumAdded | Self::MultipleOfAdded | Self::MaxLengthAdded | Self::MinLengthAdded | Self::PatternAdded | Self::RequiredAttributeAdded | Self::MaxPropertiesAdded | Self::MinPropertiesAdded | Self::DependencyArrayAdded | Self::DependencySchemaAdded | Self::MaxItemsAdded | Self::MinItemsAdded | Self::MaxContainsAdded | Self::MinContainsAdded | Self::UniqueItemsAdded | Self::AdditionalItemsRemoved | Self::AdditionalPropertiesRemoved | Self::UnevaluatedPropertiesRemoved | Self::UnevaluatedItemsRemoved => "The keyword at path '{}' in the %s schema is not present in the %s schema",
            Self::MinLengthIncreased | Self::MinimumIncreased | Self::ExclusiveMinimumIncreased | Self::MinPropertiesIncreased | Self::MultipleOfExpanded | Self::MinItemsIncreased | Self::MinContainsIncreased => "The value at path '{}' in the %s schema is more than its value in the %s schema",
            Self::MaxLengthDecreased | Self::MaximumDecreased | Self::MaxItemsDecreased | Self::MaxContainsDecreased | Self::ExclusiveMaximumDecreased | Self::MaxPropertiesDecreased => "The value at path '{}' in the %s schema is less than its value in the %s schema",
            Self::PatternChanged | Self::MultipleOfChanged | Self::DependencyArrayChanged => "The value at path '{}' is different between the %s and %s schema",
            Self::AdditionalItemsNarrowed | Self::EnumArrayNarrowed | Self::SumTypeNarrowed | Self::AdditionalPropertiesNarrowed | Self::UnevaluatedPropertiesNarrowed | Self::UnevaluatedItemsNarrowed => "An array or combined type at path '{}' has fewer elements in the %s schema than the %s schema",
            Self::DependencyArrayExtended | Self::ProductTypeExtended | Self::SumTypeExtended | Self::NotTypeExtended => "An array or combined type at path '{}' has more elements in the %s schema than the %s schema",
            Self::TypeChanged | Self::TypeNarrowed | Self::CombinedTypeChanged | Self::CombinedTypeSubschemasChanged | Self::EnumArrayChanged => "A type at path '{}' is different between the %s schema and the %s schema",
            Self::RequiredPropertyAddedToOpenContentModel | Self::RequiredPropertyWithDefaultAddedToOpenContentModel | Self::OptionalPropertyAddedToOpenContentModel | Self::ItemAddedToOpenContentModel => "The %s schema has an open content model and has a property or item at path '{}' which is missing in the %s schema",
            Self::RequiredPropertyAddedToUnopenContentModel => "The %s schema has an unopen content model and has a required property at path '{}' which is missing in the %s schema",
            Self::PropertyRemovedFromClosedContentModel | Self::ItemRemovedFromClosedContentModel => "The %s has a closed content model and is missing a property or item present at path '{}' in the %s schema",
            Self::PropertyRemovedNotCoveredByPartiallyOpenContentModel | Self::ItemRemovedNotCoveredByPartiallyOpenContentModel => "A property or item is missing in the %s schema but present at path '{}' in the %s schema and is not covered by its partially open content model",
            Self::PropertyAddedNotCoveredByPartiallyOpenContentModel | Self::ItemAddedNotCoveredByPartiallyOpenContentModel => "The %s schema has a property or item at path '{}' which is missing in the %s schema and is not covered by its partially open content model",
            _ => "",
        };
        t.replace("{}", path)
    }
}

/// One difference: its kind and where (`#/properties/email`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// What changed.
    pub kind: ChangeKind,
    /// Where, as a JSON pointer into the schemas.
    pub path: String,
}

impl Difference {
    /// `TYPE_CHANGED #/properties/id`, as the registry's tests write a change.
    pub fn label(&self) -> String {
        alloc::format!("{} {}", self.kind.name(), self.path)
    }

    /// The registry's error for it, with the reader's and the writer's role (`new`, `old`):
    /// `{errorType:"TYPE_CHANGED", description:"A type at path '#/' is different …'}`.
    pub fn message(&self, reader: &str, writer: &str) -> String {
        alloc::format!(
            "{{errorType:\"{}\", description:\"{}'}}",
            self.kind.name(),
            self.description(reader, writer)
        )
    }

    /// The registry's description of it, with the reader's and the writer's role.
    pub fn description(&self, reader: &str, writer: &str) -> String {
        self.kind
            .template(&self.path)
            .replacen("%s", reader, 1)
            .replacen("%s", writer, 1)
    }
}
