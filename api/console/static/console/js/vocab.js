// Chinese labels of the API's codes, for the organizer and dispatcher screens.

export const ACTIVITY_STATUS = {
  draft: ["草稿", "grey"], published: ["已发布", "green"], cancelled: ["已取消", "red"], finished: ["已结束", "blue"],
};
export const SIGNUP_STATUS = {
  confirmed: ["已报名", "green"], waitlisted: ["候补", "gold"], cancelled: ["已取消", "grey"],
  attended: ["已参加", "blue"], no_show: ["缺席", "red"],
};
export const RECORD_STATUS = {
  pending: ["待审核", "gold"], approved: ["已通过", "green"], rejected: ["已驳回", "red"], voided: ["已作废", "grey"],
};
export const RECORD_SOURCE = { checkin: "签到", manual: "补录", help_request: "我来帮" };
export const DISPUTE_STATUS = { open: ["待处理", "gold"], accepted: ["已采纳", "green"], dismissed: ["未采纳", "grey"] };
export const DISPUTE_KIND = { wrong: "记录有误", missing: "记录缺漏" };
export const AUDIENCE = { public: "面向公众", volunteers: "仅限志愿者" };
export const METHOD = { qr: "扫码", staff: "工作人员代签", hotline: "热线" };
export const HELP_STATUS_KIND = {
  held: "red", submitted: "gold", dispatched: "blue", accepted: "green", completed: "green",
  rated: "grey", rejected: "grey", cancelled: "grey",
};
export const WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
