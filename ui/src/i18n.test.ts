import { describe, expect, it } from "vitest";
import { en } from "./i18n/en";
import { zh } from "./i18n/zh";
import { initialLang, translate } from "./i18n";

describe("dictionaries", () => {
  it("have the same keys in English and Chinese", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });
  it("have no empty strings and the same placeholders", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe("");
      expect(zh[key].trim(), key).not.toBe("");
      const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      // Chinese adds a translated reason before the server's (English) sentence.
      if (key === "err.server") expect(vars(zh[key])).toEqual(["{message}", "{reason}"]);
      else expect(vars(zh[key]), key).toEqual(vars(en[key]));
    }
  });
  it("Chinese strings are translated (not copies of the English ones) except names", () => {
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((k) => en[k] === zh[k]);
    expect(same.sort()).toEqual(["app.title", "settings.dns"]);
  });
});

describe("language", () => {
  it("prefers the saved choice, then the browser language", () => {
    expect(initialLang("zh", "en-US")).toBe("zh");
    expect(initialLang("en", "zh-CN")).toBe("en");
    expect(initialLang(null, "zh-TW")).toBe("zh");
    expect(initialLang(null, "de-DE")).toBe("en");
    expect(initialLang("fr", "en")).toBe("en");
  });
  it("puts a translated reason before a server sentence in Chinese only", async () => {
    const { errorText } = await import("./hooks");
    const err = { code: "invalid", message: "the address must end in @office.test", field: "account.address" };
    expect(errorText((k, v) => translate("en", k, v), err)).toBe("the address must end in @office.test");
    expect(errorText((k, v) => translate("zh", k, v), err)).toBe("请检查输入：the address must end in @office.test");
    expect(errorText((k, v) => translate("zh", k, v), new TypeError("Failed to fetch"))).toBe("无法连接服务器。Postroom 是否在运行？");
  });
  it("asks for a password again in the reader's language, without the server's English", async () => {
    const { errorText } = await import("./hooks");
    const err = { code: "password_again", message: "the server this password is sent to has changed: enter the password again", field: "route[0].password" };
    expect(errorText((k, v) => translate("zh", k, v), err)).toBe("该密码要发送到的服务器已更改，请重新输入密码。");
    expect(errorText((k, v) => translate("en", k, v), err)).toBe("The server this password is sent to has changed: enter the password again.");
  });
  it("fills placeholders", () => {
    expect(translate("en", "queue.retried", { n: 3 })).toBe("3 message(s) will be tried now");
    expect(translate("zh", "common.confirmRemove", { name: "a@b" })).toBe("确定删除 a@b？");
  });
});
