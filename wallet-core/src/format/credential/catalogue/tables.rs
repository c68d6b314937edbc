//! The static table of the eight credential types this wallet issues for Chinese electronic
//! certificates (居民身份证, 驾驶证, 行驶证, 户口簿, 不动产权证书, 社会保障卡, 护照, 营业执照): each
//! type's `vct`, claim schema in display order, bilingual labels, default credential lifetime,
//! the claims that end the document's own validity, and the names people use for it.
//!
//! A `static` table rather than data loaded at run time: the catalogue is part of the wallet's
//! protocol (verifiers key their policies on the exact `vct` and claim names), so a change goes
//! through review and bumps the schema version instead of being edited in place.

use super::types::{ClaimSpec, CredentialType, Format, JsonType};

// Constructors keep the tables below readable; most claims are required, disclosable text.

const fn text(name: &'static str, format: Format, zh: &'static str, en: &'static str) -> ClaimSpec {
    ClaimSpec {
        name,
        json_type: JsonType::String,
        required: true,
        disclosable: true,
        derived: false,
        format,
        label_zh: zh,
        label_en: en,
    }
}

const fn of_type(mut spec: ClaimSpec, json_type: JsonType) -> ClaimSpec {
    spec.json_type = json_type;
    spec
}

const fn optional(mut spec: ClaimSpec) -> ClaimSpec {
    spec.required = false;
    spec
}

const fn always_visible(mut spec: ClaimSpec) -> ClaimSpec {
    spec.disclosable = false;
    spec
}

const fn age_over(name: &'static str, age: u8, zh: &'static str, en: &'static str) -> ClaimSpec {
    ClaimSpec {
        name,
        json_type: JsonType::Boolean,
        required: false,
        disclosable: true,
        derived: true,
        format: Format::AgeOver(age),
        label_zh: zh,
        label_en: en,
    }
}

const AGE_OVER_18: ClaimSpec = age_over("age_over_18", 18, "年满18周岁", "Aged 18 or over");
const AGE_OVER_60: ClaimSpec = age_over("age_over_60", 60, "年满60周岁", "Aged 60 or over");
const NAME: ClaimSpec = text("name", Format::Free, "姓名", "Name");
const SEX: ClaimSpec = text("sex", Format::Sex, "性别", "Sex");
const ETHNICITY: ClaimSpec = text("ethnicity", Format::Ethnicity, "民族", "Ethnicity");
const BIRTH_DATE: ClaimSpec = text("birth_date", Format::Date, "出生日期", "Date of birth");
const ADDRESS: ClaimSpec = text("address", Format::Free, "住址", "Address");
const PHOTO_DIGEST: ClaimSpec = optional(text(
    "photo_digest",
    Format::Sha256Hex,
    "照片摘要",
    "Photo digest (SHA-256)",
));

static RESIDENT_ID: [ClaimSpec; 11] = [
    NAME,
    SEX,
    ETHNICITY,
    BIRTH_DATE,
    ADDRESS,
    text(
        "id_number",
        Format::ResidentIdNumber,
        "公民身份号码",
        "Citizen identity number",
    ),
    text("valid_from", Format::Date, "有效期限起始日期", "Valid from"),
    text(
        "valid_until",
        Format::DateOrLongTerm,
        "有效期限截止日期",
        "Valid until",
    ),
    PHOTO_DIGEST,
    AGE_OVER_18,
    AGE_OVER_60,
];

static DRIVING_LICENCE: [ClaimSpec; 10] = [
    NAME,
    SEX,
    text("nationality", Format::CountryCode, "国籍", "Nationality"),
    BIRTH_DATE,
    ADDRESS,
    text(
        "licence_number",
        Format::ResidentIdNumber,
        "证号",
        "Licence number",
    ),
    text(
        "licence_class",
        Format::DrivingClasses,
        "准驾车型",
        "Permitted vehicle classes",
    ),
    text(
        "first_issue_date",
        Format::Date,
        "初次领证日期",
        "Date of first issue",
    ),
    text("valid_from", Format::Date, "有效期限起始日期", "Valid from"),
    text(
        "valid_until",
        Format::DateOrLongTerm,
        "有效期限截止日期",
        "Valid until",
    ),
];

static VEHICLE_LICENCE: [ClaimSpec; 12] = [
    text(
        "plate_number",
        Format::PlateNumber,
        "号牌号码",
        "Plate number",
    ),
    text("vehicle_type", Format::Free, "车辆类型", "Vehicle type"),
    text("owner", Format::Free, "所有人", "Owner"),
    ADDRESS,
    text("use_character", Format::Free, "使用性质", "Use character"),
    text("model", Format::Free, "品牌型号", "Make and model"),
    text(
        "vin",
        Format::Vin,
        "车辆识别代号",
        "Vehicle identification number (VIN)",
    ),
    text("engine_number", Format::Free, "发动机号码", "Engine number"),
    text(
        "registration_date",
        Format::Date,
        "注册日期",
        "Date of registration",
    ),
    text("issue_date", Format::Date, "发证日期", "Date of issue"),
    optional(of_type(
        text(
            "approved_passengers",
            Format::PositiveNumber,
            "核定载人数",
            "Approved number of passengers",
        ),
        JsonType::Integer,
    )),
    optional(text(
        "inspection_valid_until",
        Format::Date,
        "检验有效期至",
        "Inspection valid until",
    )),
];

static HOUSEHOLD_REGISTER: [ClaimSpec; 12] = [
    NAME,
    text(
        "relationship_to_head",
        Format::Free,
        "户主或与户主关系",
        "Head of household or relationship to head",
    ),
    SEX,
    ETHNICITY,
    BIRTH_DATE,
    text("birthplace", Format::Free, "出生地", "Place of birth"),
    text(
        "id_number",
        Format::ResidentIdNumber,
        "公民身份号码",
        "Citizen identity number",
    ),
    ADDRESS,
    text(
        "household_number",
        Format::Alphanumeric,
        "户号",
        "Household number",
    ),
    text(
        "household_type",
        Format::HouseholdType,
        "户别",
        "Household type",
    ),
    AGE_OVER_18,
    AGE_OVER_60,
];

static REAL_ESTATE_TITLE: [ClaimSpec; 11] = [
    text(
        "certificate_number",
        Format::Free,
        "不动产权证书号",
        "Certificate number",
    ),
    text("right_holder", Format::Free, "权利人", "Right holder"),
    text("co_ownership", Format::Free, "共有情况", "Co-ownership"),
    text("location", Format::Free, "坐落", "Location"),
    text(
        "unit_number",
        Format::RealEstateUnitNumber,
        "不动产单元号",
        "Real estate unit number",
    ),
    text("right_type", Format::Free, "权利类型", "Type of right"),
    text("right_nature", Format::Free, "权利性质", "Nature of right"),
    text("usage", Format::Free, "用途", "Usage"),
    of_type(
        text(
            "floor_area",
            Format::PositiveNumber,
            "面积（平方米）",
            "Area (square metres)",
        ),
        JsonType::Number,
    ),
    optional(text(
        "land_use_until",
        Format::Date,
        "土地使用期限截止日期",
        "Land use term ends",
    )),
    text(
        "registration_date",
        Format::Date,
        "登记日期",
        "Date of registration",
    ),
];

static SOCIAL_SECURITY_CARD: [ClaimSpec; 10] = [
    NAME,
    SEX,
    BIRTH_DATE,
    text(
        "social_security_number",
        Format::ResidentIdNumber,
        "社会保障号码",
        "Social security number",
    ),
    text("card_number", Format::Alphanumeric, "卡号", "Card number"),
    text("issue_date", Format::Date, "发卡日期", "Date of issue"),
    text("valid_until", Format::Date, "有效期限", "Valid until"),
    PHOTO_DIGEST,
    AGE_OVER_18,
    AGE_OVER_60,
];

static PASSPORT: [ClaimSpec; 12] = [
    text(
        "passport_number",
        Format::PassportNumber,
        "护照号",
        "Passport number",
    ),
    NAME,
    text("surname_latin", Format::LatinName, "姓（拼音）", "Surname"),
    text(
        "given_names_latin",
        Format::LatinName,
        "名（拼音）",
        "Given names",
    ),
    SEX,
    text("nationality", Format::CountryCode, "国籍", "Nationality"),
    BIRTH_DATE,
    text("birthplace", Format::Free, "出生地点", "Place of birth"),
    text("place_of_issue", Format::Free, "签发地点", "Place of issue"),
    text("issue_date", Format::Date, "签发日期", "Date of issue"),
    text("expiry_date", Format::Date, "有效期至", "Date of expiry"),
    AGE_OVER_18,
];

static BUSINESS_LICENCE: [ClaimSpec; 10] = [
    // The company name and credit code are public-register data and identify the subject
    // of the credential, so hiding them would only cost a disclosure.
    always_visible(text(
        "uscc",
        Format::Uscc,
        "统一社会信用代码",
        "Unified social credit code",
    )),
    always_visible(text("company_name", Format::Free, "名称", "Name")),
    text("entity_type", Format::Free, "类型", "Type of entity"),
    text(
        "legal_representative",
        Format::Free,
        "法定代表人",
        "Legal representative",
    ),
    optional(text(
        "registered_capital",
        Format::Free,
        "注册资本",
        "Registered capital",
    )),
    text(
        "establishment_date",
        Format::Date,
        "成立日期",
        "Date of establishment",
    ),
    text(
        "business_term_until",
        Format::DateOrLongTerm,
        "营业期限截止日期",
        "Business term ends",
    ),
    text("address", Format::Free, "住所", "Domicile"),
    text(
        "business_scope",
        Format::LongText,
        "经营范围",
        "Business scope",
    ),
    text(
        "registration_date",
        Format::Date,
        "登记日期",
        "Date of registration",
    ),
];

// Default credential lifetimes: a year where the underlying document changes rarely
// (identity and licence documents are re-issued on renewal, which triggers a refresh
// anyway); shorter where the registered facts change often and a stale credential would
// mislead a verifier (household moves, property transfers, company changes).
//
// Document validity (`validity_claims`): the printed expiry of the card, licence or passport,
// and a business licence's business term. The vehicle licence (行驶证) itself has no expiry,
// but a vehicle past its inspection date may not be driven on the road (Road Traffic Safety
// Law art. 13), so `inspection_valid_until` ends what the credential proves; after a new
// inspection the agency re-issues with the new date. A real-estate title's `land_use_until`
// does not end the title (residential land-use rights renew automatically, Civil Code
// art. 359), and a household register has no end date: neither type names a validity claim.
//
// Every type is a government document that an agency may have to withdraw (lost, replaced,
// revoked licence), so every type requires a `status` claim unless the issuer opts out.
pub(super) static TYPES: [CredentialType; 8] = [
    CredentialType {
        short_name: "resident-id",
        vct: "urn:cn-wallet:resident-id:1",
        name_zh: "居民身份证",
        name_en: "Resident Identity Card",
        claims: &RESIDENT_ID,
        default_validity_days: 365,
        validity_claims: &["valid_until"],
        status_required: true,
        aliases: &["身份证"],
    },
    CredentialType {
        short_name: "driving-licence",
        vct: "urn:cn-wallet:driving-licence:1",
        name_zh: "机动车驾驶证",
        name_en: "Motor Vehicle Driving Licence",
        claims: &DRIVING_LICENCE,
        default_validity_days: 365,
        validity_claims: &["valid_until"],
        status_required: true,
        aliases: &["驾驶证", "驾照"],
    },
    CredentialType {
        short_name: "vehicle-licence",
        vct: "urn:cn-wallet:vehicle-licence:1",
        name_zh: "机动车行驶证",
        name_en: "Motor Vehicle Licence",
        claims: &VEHICLE_LICENCE,
        default_validity_days: 365,
        validity_claims: &["inspection_valid_until"],
        status_required: true,
        aliases: &["行驶证"],
    },
    CredentialType {
        short_name: "household-register",
        vct: "urn:cn-wallet:household-register:1",
        name_zh: "居民户口簿",
        name_en: "Household Register",
        claims: &HOUSEHOLD_REGISTER,
        default_validity_days: 180,
        validity_claims: &[],
        status_required: true,
        aliases: &["户口簿", "户口本"],
    },
    CredentialType {
        short_name: "real-estate-title",
        vct: "urn:cn-wallet:real-estate-title:1",
        name_zh: "不动产权证书",
        name_en: "Real Estate Title Certificate",
        claims: &REAL_ESTATE_TITLE,
        default_validity_days: 90,
        validity_claims: &[],
        status_required: true,
        aliases: &["不动产证", "房产证"],
    },
    CredentialType {
        short_name: "social-security-card",
        vct: "urn:cn-wallet:social-security-card:1",
        name_zh: "社会保障卡",
        name_en: "Social Security Card",
        claims: &SOCIAL_SECURITY_CARD,
        default_validity_days: 365,
        validity_claims: &["valid_until"],
        status_required: true,
        aliases: &["社保卡"],
    },
    CredentialType {
        short_name: "passport",
        vct: "urn:cn-wallet:passport:1",
        name_zh: "护照",
        name_en: "Passport",
        claims: &PASSPORT,
        default_validity_days: 365,
        validity_claims: &["expiry_date"],
        status_required: true,
        aliases: &["普通护照"],
    },
    CredentialType {
        short_name: "business-licence",
        vct: "urn:cn-wallet:business-licence:1",
        name_zh: "营业执照",
        name_en: "Business Licence",
        claims: &BUSINESS_LICENCE,
        default_validity_days: 90,
        validity_claims: &["business_term_until"],
        status_required: true,
        aliases: &[],
    },
];
