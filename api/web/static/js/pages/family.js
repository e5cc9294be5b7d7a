// 家庭成员: a guardian adds a child with consent, follows its sign-ups, hours and
// certificates, and may withdraw (or give again) the consent.

import { api, download, me } from "../api.js";
import { signupTag } from "../cards.js";
import { clearErrors, field, formError, showErrors } from "../forms.js";
import {
  busy, confirmButton, empty, failure, formatDateTime, formatDay, h, hoursText, loading, main,
  messageOf, show, signedOut, toast,
} from "../ui.js";

const RELATIONS = ["子女", "孙子女", "外孙子女", "其他被监护人"];
let consent = null;

start();

async function start() {
  show(main, loading());
  let user;
  try {
    [user, consent] = await Promise.all([me(), api.get("/family/consent-text")]);
  } catch (error) {
    show(main, failure(error, start));
    return;
  }
  if (!user) {
    show(main, signedOut("登录后管理家庭成员", "监护人可为未成年的孩子报名活动、查看服务时长。"));
    return;
  }
  const list = h("div", { class: "family-list" }, loading());
  const add = h("button", { class: "btn btn-primary btn-block", type: "button" }, "添加家庭成员");
  const formBox = h("div");
  add.addEventListener("click", () => {
    add.hidden = true;
    show(formBox, memberForm(() => { add.hidden = false; show(formBox); loadMembers(list); }));
  });
  show(main,
    h("section", { class: "card stack" },
      h("h2", { class: "card-title" }, "为孩子报名志愿活动"),
      h("p", { class: "muted" },
        "未满 14 周岁需监护人同意后才能报名，未满 10 周岁或活动要求时需监护人陪同（会同时为您报名）。")),
    list, add, formBox);
  loadMembers(list);
}

async function loadMembers(list) {
  let answer;
  try {
    answer = await api.get("/me/family", { per_page: 50 });
  } catch (error) {
    show(list, failure(error, () => loadMembers(list)));
    return;
  }
  if (answer.data.length === 0) {
    show(list, empty("还没有添加家庭成员", "添加后可在活动页为孩子报名"));
    return;
  }
  show(list, answer.data.map((member) => memberCard(member, list)));
}

function memberCard(member, list) {
  const card = h("section", { class: "card stack family-member", dataset: { memberId: member.id } });
  if (!member.consented) {
    card.append(
      h("h3", { class: "card-title" }, `${member.relation}（已撤回同意）`),
      h("p", { class: "muted", text: `${formatDateTime(member.consent_withdrawn_at)} 撤回同意，信息已隐藏，未开始活动的报名已取消。` }),
      consentBox(async () => {
        await api.post(`/me/family/${member.id}/consent`, { consent: true, consent_version: consent.version });
        toast("已重新同意");
        loadMembers(list);
      }, "重新同意"));
    return card;
  }
  const details = h("div", { class: "stack" }, loading());
  card.append(
    h("h3", { class: "card-title", text: `${member.real_name}（${member.relation}）` }),
    h("p", { class: "muted", text: `出生日期 ${member.birth_date}${member.id_number ? ` · 身份证 ${member.id_number}` : ""}` }),
    h("p", { class: "muted", dataset: { consent: member.consent_version },
      text: `监护人同意：${formatDateTime(member.consent_given_at)}（同意书版本 ${member.consent_version}）` }),
    details,
    confirmButton("撤回同意", "确定撤回", async () => {
      try {
        await api.del(`/me/family/${member.id}/consent`);
        toast("已撤回同意，未开始活动的报名已取消");
        loadMembers(list);
      } catch (error) {
        toast(messageOf(error), "error");
      }
    }));
  loadDetails(member, details);
  return card;
}

async function loadDetails(member, box) {
  let signups;
  let hours;
  let certificates;
  try {
    [signups, hours, certificates] = await Promise.all([
      api.get(`/me/family/${member.id}/signups`, { per_page: 10 }),
      api.get(`/me/family/${member.id}/hours`, { per_page: 5 }),
      api.get(`/me/family/${member.id}/certificates`, { per_page: 5 }),
    ]);
  } catch (error) {
    show(box, failure(error, () => loadDetails(member, box)));
    return;
  }
  const issue = h("button", { class: "btn btn-small", type: "button" }, "开具服务证明");
  issue.addEventListener("click", () => busy(issue, "开具中…", async () => {
    try {
      const certificate = await api.post(`/me/family/${member.id}/certificates`);
      toast(`已开具证明 ${certificate.number}`);
      loadDetails(member, box);
    } catch (error) {
      toast(messageOf(error), "error");
    }
  }));
  show(box,
    h("p", { class: "family-hours" }, "累计服务时长 ",
      h("b", { dataset: { totalHours: hours.total_hours }, text: hoursText(hours.total_hours) }), " 小时"),
    h("h4", { class: "subheading" }, "报名的活动"),
    signups.data.length
      ? h("ul", { class: "list" }, signups.data.map((signup) => h("li", { class: "record" },
        h("a", { class: "grow", href: `/app/activities/${signup.activity_id}`, text: signup.activity.title }),
        h("span", { class: "muted", text: formatDay(signup.activity.starts_at) }), signupTag(signup))))
      : h("p", { class: "muted" }, "还没有报名。在活动详情页点“为家庭成员报名”。"),
    h("h4", { class: "subheading" }, "服务证明"),
    certificates.data.map((certificate) => {
      const save = h("button", { class: "btn btn-small", type: "button" }, "下载 PDF");
      save.addEventListener("click", () => busy(save, "下载中…", async () => {
        try {
          await download(certificate.pdf_url, `${certificate.number}.pdf`);
        } catch (error) {
          toast(messageOf(error), "error");
        }
      }));
      return h("div", { class: "record certificate", dataset: { number: certificate.number } },
        h("p", { class: "grow" }, `编号 ${certificate.number} · ${hoursText(certificate.total_hours)} 小时 `,
          h("a", { href: `/app/certificates/${certificate.code}` }, "核验")),
        save);
    }),
    issue);
}

/** The consent text with an explicit checkbox; ``action`` runs once it is ticked. */
function consentBox(action, label) {
  const tick = h("input", { type: "checkbox", name: "consent", class: "checkbox" });
  const error = h("p", { class: "inline-error", role: "alert", hidden: true });
  const button = h("button", { class: "btn btn-primary btn-block", type: "button" }, label);
  button.addEventListener("click", () => busy(button, "提交中…", async () => {
    error.hidden = true;
    if (!tick.checked) {
      error.textContent = "请阅读并勾选同意";
      error.hidden = false;
      return;
    }
    try {
      await action();
    } catch (problem) {
      error.textContent = messageOf(problem);
      error.hidden = false;
    }
  }));
  return h("div", { class: "consent stack" },
    h("p", { class: "consent-text", text: consent.text }),
    h("label", { class: "consent-check" }, tick,
      h("span", { text: `我是监护人，已阅读并同意（版本 ${consent.version}）` })),
    button, error);
}

function memberForm(onAdded) {
  const realName = h("input", { class: "input", name: "real_name", required: true, maxlength: "40",
    autocomplete: "off" });
  const birthDate = h("input", { class: "input", name: "birth_date", type: "date", required: true });
  const relation = h("select", { class: "select", name: "relation" },
    RELATIONS.map((name) => h("option", { value: name }, name)));
  const idNumber = h("input", { class: "input", name: "id_number", maxlength: "18", autocomplete: "off" });
  const error = formError();
  const form = h("form", { class: "card member-form", novalidate: true },
    h("h3", { class: "card-title" }, "添加家庭成员"),
    field("孩子姓名", realName, "real_name"),
    field("出生日期", birthDate, "birth_date"),
    field("关系", relation, "relation"),
    field("身份证号（选填，加密保存）", idNumber, "id_number"),
    consentBox(async () => {
      clearErrors(form);
      try {
        await api.post("/me/family", {
          real_name: realName.value.trim(), birth_date: birthDate.value, relation: relation.value,
          id_number: idNumber.value.trim() || null, consent: true, consent_version: consent.version,
        });
      } catch (problem) {
        showErrors(form, problem);
        return;
      }
      toast("已添加家庭成员");
      onAdded();
    }, "同意并添加"),
    error);
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}
