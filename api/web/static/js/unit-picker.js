// Where someone belongs or lives: a township (实践所), then optionally its village or
// community (实践站).

import { api } from "./api.js";
import { h, shortUnitName } from "./ui.js";

const ANY_VILLAGE = "不选（直接属于镇街）";

/**
 * Two selects. ``unitId()`` is the village's id when one is chosen, else the township's,
 * else null. ``onError(error)`` is told when the townships cannot be listed.
 */
export function unitPicker({ villageLabel = ANY_VILLAGE, onError = () => {} } = {}) {
  const township = h("select", { class: "select", name: "township", required: true },
    h("option", { value: "" }, "请选择镇街"));
  const village = h("select", { class: "select", name: "unit_id", disabled: true },
    h("option", { value: "" }, villageLabel));

  api.get("/units", { level: "institute", per_page: 100 }).then((answer) => {
    for (const unit of answer.data) township.append(h("option", { value: unit.id }, shortUnitName(unit.name)));
  }).catch(onError);

  township.addEventListener("change", async () => {
    village.replaceChildren(h("option", { value: "" }, villageLabel));
    village.disabled = true;
    if (!township.value) return;
    try {
      const unit = await api.get(`/units/${township.value}`);
      for (const child of unit.children) village.append(h("option", { value: child.id }, shortUnitName(child.name)));
      village.disabled = unit.children.length === 0;
    } catch {
      // Without the villages the township itself is a valid choice.
    }
  });

  return {
    township,
    village,
    unitId: () => Number(village.value || township.value) || null,
  };
}
