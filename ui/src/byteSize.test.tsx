import { afterEach, describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { setTransport, type Op } from "./api";
import { joinBytes, splitBytes } from "./format";
import { fake, SETTINGS_SCHEMA, wrap } from "./testing";
import Settings from "./pages/Settings";

afterEach(() => setTransport(undefined));

describe("byte sizes", () => {
  it("are shown in the largest unit that divides them exactly", () => {
    expect(splitBytes(26214400)).toEqual({ amount: 25, unit: "MB" });
    expect(splitBytes(50 * 1024 * 1024)).toEqual({ amount: 50, unit: "MB" });
    expect(splitBytes(2 * 1024 ** 3)).toEqual({ amount: 2, unit: "GB" });
    expect(splitBytes(4096)).toEqual({ amount: 4, unit: "KB" });
    // 1.5 MB is not a whole number of MB: KB it is.
    expect(splitBytes(1536 * 1024)).toEqual({ amount: 1536, unit: "KB" });
    // 20 000 000 is no whole number of KB (19531.25): bytes.
    expect(splitBytes(20000000)).toEqual({ amount: 20000000, unit: "B" });
    expect(splitBytes(1500)).toEqual({ amount: 1500, unit: "B" });
    expect(splitBytes(0)).toEqual({ amount: 0, unit: "B" });
  });

  it("are saved as whole bytes, binary multiples", () => {
    expect(joinBytes(25, "MB")).toBe(26214400);
    expect(joinBytes(2, "GB")).toBe(2147483648);
    expect(joinBytes(4, "KB")).toBe(4096);
    expect(joinBytes(512, "B")).toBe(512);
    // A fraction becomes the nearest whole byte: the config file takes integers only.
    expect(joinBytes(2.5, "MB")).toBe(2621440);
    expect(joinBytes(0.3, "KB")).toBe(307);
    expect(joinBytes(null, "MB")).toBeNull();
    expect(joinBytes(undefined, "KB")).toBeNull();
    // Round trip.
    for (const n of [1024, 4096, 26214400, 3 * 1024 ** 3, 1500, 20971520]) {
      const { amount, unit } = splitBytes(n);
      expect(joinBytes(amount, unit)).toBe(n);
    }
  });
});

describe("Settings byte fields", () => {
  const settings = { hostname: "mx.example.test", limits: { max_message_size: 26214400, max_line_length: 4096, max_errors: 10 } };

  it("show an amount and a unit, and send bytes", async () => {
    const puts: Op[] = [];
    fake({
      "GET /api/settings/schema": () => SETTINGS_SCHEMA,
      "GET /api/settings": () => ({ settings, restart_needed: false }),
      "GET /api/certificate": () => { throw { code: "not_found", message: "no certificate" }; },
      "PUT /api/settings": (op) => {
        puts.push(op);
        return { settings, restart_needed: false, applied: ["limits.max_message_size"], pending_restart: [] };
      },
    });
    wrap(<Settings />);
    fireEvent.click(await screen.findByRole("tab", { name: "Limits" }));
    const amount = (await screen.findByTestId("field-limits.max_message_size")) as HTMLInputElement;
    expect(amount.value).toBe("25");
    const unit = screen.getByTestId("field-limits.max_message_size-unit");
    expect(unit.textContent).toContain("MB");
    expect((screen.getByTestId("field-limits.max_line_length") as HTMLInputElement).value).toBe("4");
    expect(screen.getByTestId("field-limits.max_line_length-unit").textContent).toContain("KB");
    // A plain count stays a plain number.
    expect(screen.queryByTestId("field-limits.max_errors-unit")).toBeNull();

    // 10, then GB: 10 GiB in bytes, the amount kept.
    fireEvent.change(amount, { target: { value: "10" } });
    fireEvent.mouseDown(unit.querySelector(".ant-select-selector") as Element);
    fireEvent.click(await screen.findByTitle("GB"));
    await waitFor(() => expect(unit.textContent).toContain("GB"));
    expect(amount.value).toBe("10");
    fireEvent.click(screen.getByTestId("save-limits"));
    await waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0].body).toEqual({ limits: { max_message_size: 10 * 1024 ** 3 } });
  });

  it("put the server's validation error next to the field", async () => {
    fake({
      "GET /api/settings/schema": () => SETTINGS_SCHEMA,
      "GET /api/settings": () => ({ settings, restart_needed: false }),
      "GET /api/certificate": () => { throw { code: "not_found", message: "no certificate" }; },
      "PUT /api/settings": () => {
        throw { code: "invalid", message: "limits.max_message_size: must be between 1024 and 2147483648 (1 KiB to 2 GiB), found 3145728000", field: "limits.max_message_size" };
      },
    });
    wrap(<Settings />, "zh");
    fireEvent.click(await screen.findByRole("tab", { name: "限制" }));
    const amount = (await screen.findByTestId("field-limits.max_message_size")) as HTMLInputElement;
    fireEvent.change(amount, { target: { value: "3000" } });
    fireEvent.click(screen.getByTestId("save-limits"));
    const card = screen.getByTestId("settings-limits");
    await waitFor(() => expect(card.querySelector(".ant-form-item-explain-error")?.textContent).toContain("1 KiB to 2 GiB"));
    // The bytes unit is translated; KB, MB and GB are symbols.
    const unit = screen.getByTestId("field-limits.max_message_size-unit");
    expect(unit.textContent).toContain("MB");
    fireEvent.mouseDown(unit.querySelector(".ant-select-selector") as Element);
    expect(await screen.findByTitle("字节")).toBeTruthy();
  });
});
