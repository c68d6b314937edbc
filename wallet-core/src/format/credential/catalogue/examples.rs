//! Realistic, fictitious example claims for every credential type, as an issuer would supply
//! them: the input of the demo, the test vectors, benchmarks, fuzz seeds and the catalogue's own
//! tests, which check that every example validates and exercises every non-derived claim.
//!
//! The person-centred types share one holder (张三, born 1990-03-15, with a resident ID number
//! whose check digit is correct) so that a demo wallet holds consistent credentials.

use serde_json::{Map, Value, json};

use super::types::{CredentialType, LONG_TERM};

impl CredentialType {
    /// Realistic, fictitious, valid example claims (as an issuer would supply them: no
    /// derived claims) — used by the demo, tests, benchmarks and vectors.
    ///
    /// The person-centred types describe one fictitious holder, 张三, born 1990-03-15, so
    /// that demos can show several credentials of the same wallet.
    pub fn example_claims(&self) -> Map<String, Value> {
        let pairs: Vec<(&str, Value)> = match self.short_name.as_str() {
            "resident-id" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("sex", json!("男")),
                ("ethnicity", json!("汉")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("id_number", json!(EXAMPLE_ID_NUMBER)),
                ("valid_from", json!("2016-06-01")),
                ("valid_until", json!("2036-06-01")),
                ("photo_digest", json!(EXAMPLE_PHOTO_DIGEST)),
            ],
            "driving-licence" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("sex", json!("男")),
                ("nationality", json!("CHN")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("licence_number", json!(EXAMPLE_ID_NUMBER)),
                ("licence_class", json!("C1")),
                ("first_issue_date", json!("2012-08-20")),
                ("valid_from", json!("2018-08-20")),
                ("valid_until", json!("2028-08-20")),
            ],
            "vehicle-licence" => vec![
                ("plate_number", json!("沪AD12345")),
                ("vehicle_type", json!("小型轿车")),
                ("owner", json!(EXAMPLE_NAME)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("use_character", json!("非营运")),
                ("model", json!("长风牌CF7000BEV")),
                ("vin", json!("LCFCF7004RA234567")),
                ("engine_number", json!("TZ220XS0123456")),
                ("registration_date", json!("2024-05-10")),
                ("issue_date", json!("2024-05-10")),
                ("approved_passengers", json!(5)),
                ("inspection_valid_until", json!("2030-05-31")),
            ],
            "household-register" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("relationship_to_head", json!("户主")),
                ("sex", json!("男")),
                ("ethnicity", json!("汉")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("birthplace", json!("上海市浦东新区")),
                ("id_number", json!(EXAMPLE_ID_NUMBER)),
                ("address", json!(EXAMPLE_ADDRESS)),
                ("household_number", json!("310115023456")),
                ("household_type", json!("家庭户")),
            ],
            "real-estate-title" => vec![
                (
                    "certificate_number",
                    json!("沪(2021)浦字不动产权第012345号"),
                ),
                ("right_holder", json!(EXAMPLE_NAME)),
                ("co_ownership", json!("单独所有")),
                ("location", json!("上海市浦东新区花木路1000弄10号1201室")),
                ("unit_number", json!("310115001002GB00123F00101201")),
                ("right_type", json!("国有建设用地使用权/房屋所有权")),
                ("right_nature", json!("出让/商品房")),
                ("usage", json!("城镇住宅用地/住宅")),
                ("floor_area", json!(89.5)),
                ("land_use_until", json!("2088-12-31")),
                ("registration_date", json!("2021-09-30")),
            ],
            "social-security-card" => vec![
                ("name", json!(EXAMPLE_NAME)),
                ("sex", json!("男")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("social_security_number", json!(EXAMPLE_ID_NUMBER)),
                ("card_number", json!("M31234567")),
                ("issue_date", json!("2020-11-01")),
                ("valid_until", json!("2030-11-01")),
                ("photo_digest", json!(EXAMPLE_PHOTO_DIGEST)),
            ],
            "passport" => vec![
                ("passport_number", json!("EA1234567")),
                ("name", json!(EXAMPLE_NAME)),
                ("surname_latin", json!("ZHANG")),
                ("given_names_latin", json!("SAN")),
                ("sex", json!("男")),
                ("nationality", json!("CHN")),
                ("birth_date", json!(EXAMPLE_BIRTH_DATE)),
                ("birthplace", json!("上海")),
                ("place_of_issue", json!("上海")),
                ("issue_date", json!("2019-04-10")),
                // Chinese passports expire the day before the tenth anniversary of issue.
                ("expiry_date", json!("2029-04-09")),
            ],
            "business-licence" => vec![
                ("uscc", json!("91310115MA1G5W8N76")),
                ("company_name", json!("上海示例数字科技有限公司")),
                ("entity_type", json!("有限责任公司（自然人投资或控股）")),
                ("legal_representative", json!(EXAMPLE_NAME)),
                ("registered_capital", json!("人民币100万元整")),
                ("establishment_date", json!("2019-01-08")),
                ("business_term_until", json!(LONG_TERM)),
                (
                    "address",
                    json!("中国（上海）自由贸易试验区示例路100号2幢301室"),
                ),
                (
                    "business_scope",
                    json!(
                        "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
                    ),
                ),
                ("registration_date", json!("2023-05-16")),
            ],
            _ => Vec::new(),
        };
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }
}

const EXAMPLE_NAME: &str = "张三";
pub(super) const EXAMPLE_BIRTH_DATE: &str = "1990-03-15";
pub(super) const EXAMPLE_ID_NUMBER: &str = "310115199003151239";
const EXAMPLE_ADDRESS: &str = "上海市浦东新区花木路1000弄10号1201室";
/// SHA-256 of the UTF-8 text `示例证件照片` ("sample ID photo"): a stand-in for a photo.
pub(super) const EXAMPLE_PHOTO_DIGEST: &str =
    "74bc6e0dba3b74e6ee293b26a347c53e483c09d67affb5db6a7faea9d26f7582";
