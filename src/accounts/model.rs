//! Account facts as the account API sends them (its JSON contract; unknown fields are
//! ignored), and their conversion into rule [`Facts`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::Facts;

/// One advertiser account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: String,
    pub advertiser_type: AdvertiserType,
    pub overseas: bool,
    pub refund_account_registered: bool,
    pub cash: Cash,
    pub members: Vec<Member>,
    pub payments: Vec<Payment>,
    pub campaigns: Vec<Campaign>,
    #[serde(default)]
    pub auto_payment: AutoPayment,
}

/// Enum values outside the contract deserialize as `Other` (and then match no rule
/// condition but `present`), rather than failing the whole account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdvertiserType {
    Individual,
    Business,
    #[serde(other)]
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cash {
    pub paid: i64,
    pub free: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub member_id: String,
    pub role: Role,
    pub status: MemberStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Master,
    Member,
    #[serde(other)]
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Withdrawn,
    #[serde(other)]
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub payment_id: String,
    pub method: PaymentMethod,
    pub amount: i64,
    pub paid_at: NaiveDate,
    pub member_id: String,
    #[serde(default)]
    pub card_kind: Option<CardKind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    Kakaopay,
    BankTransfer,
    OverseasInvoice,
    #[serde(other)]
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Personal,
    Corporate,
    CorporateShared,
    #[serde(other)]
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub campaign_id: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub budget: i64,
    pub spent: i64,
    pub status: CampaignStatus,
    pub creative_status: CreativeStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Scheduled,
    Running,
    Ended,
    Cancelled,
    #[serde(other)]
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreativeStatus {
    None,
    Registered,
    Approved,
    #[serde(other)]
    Other,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoPayment {
    #[serde(default)]
    pub method: Option<AutoPaymentMethod>,
    #[serde(default)]
    pub card_kind: Option<CardKind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoPaymentMethod {
    Kakaopay,
    Card,
    #[serde(other)]
    Other,
}

/// The wire name of an enum value (`bank_transfer`), as used in rule conditions.
fn code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "other".to_owned(),
    }
}

impl Account {
    /// The active master member, if any.
    pub fn active_master(&self) -> Option<&Member> {
        self.members
            .iter()
            .find(|m| m.role == Role::Master && m.status == MemberStatus::Active)
    }

    /// The facts rules read. Names (documented in each decision's `facts:`):
    ///
    /// - `account_id`, `advertiser_type`, `overseas`, `refund_account_registered`
    /// - `cash.paid`, `cash.free` (won)
    /// - `auto_payment.method`, `auto_payment.card_kind` (absent when `null`)
    /// - `master.member_id`: the active master (absent when there is none)
    /// - `members`: `member_id`, `role`, `status`
    /// - `payments`: `payment_id`, `method`, `amount`, `paid_at`, `member_id`, `card_kind`
    ///   (absent unless given), and joined from `members`: `member_status`, `member_role`
    ///   (absent when the paying member is not in the list)
    /// - `campaigns`: `campaign_id`, `name`, `start_date`, `budget`, `spent`, `status`,
    ///   `creative_status`
    pub fn facts(&self) -> Facts {
        let mut f = Facts::new()
            .with("account_id", self.account_id.as_str())
            .with("advertiser_type", code(&self.advertiser_type))
            .with("overseas", self.overseas)
            .with("refund_account_registered", self.refund_account_registered)
            .with("cash.paid", self.cash.paid)
            .with("cash.free", self.cash.free);
        f.insert_opt(
            "auto_payment.method",
            self.auto_payment.method.map(|m| code(&m)),
        );
        f.insert_opt(
            "auto_payment.card_kind",
            self.auto_payment.card_kind.map(|k| code(&k)),
        );
        f.insert_opt(
            "master.member_id",
            self.active_master().map(|m| m.member_id.clone()),
        );
        let members: Vec<Facts> = self
            .members
            .iter()
            .map(|m| {
                Facts::new()
                    .with("member_id", m.member_id.as_str())
                    .with("role", code(&m.role))
                    .with("status", code(&m.status))
            })
            .collect();
        f.insert("members", members);
        let payments: Vec<Facts> = self
            .payments
            .iter()
            .map(|p| {
                let mut r = Facts::new()
                    .with("payment_id", p.payment_id.as_str())
                    .with("method", code(&p.method))
                    .with("amount", p.amount)
                    .with("paid_at", p.paid_at)
                    .with("member_id", p.member_id.as_str());
                r.insert_opt("card_kind", p.card_kind.map(|k| code(&k)));
                if let Some(m) = self.members.iter().find(|m| m.member_id == p.member_id) {
                    r.insert("member_status", code(&m.status));
                    r.insert("member_role", code(&m.role));
                }
                r
            })
            .collect();
        f.insert("payments", payments);
        let campaigns: Vec<Facts> = self
            .campaigns
            .iter()
            .map(|c| {
                Facts::new()
                    .with("campaign_id", c.campaign_id.as_str())
                    .with("name", c.name.as_str())
                    .with("start_date", c.start_date)
                    .with("budget", c.budget)
                    .with("spent", c.spent)
                    .with("status", code(&c.status))
                    .with("creative_status", code(&c.creative_status))
            })
            .collect();
        f.insert("campaigns", campaigns);
        f
    }
}
