// MemoryMonitor frontend entry (anywidget): `export default { initialize, render }`.
import { MemoryMonitorView } from "./memory/view.js";

export default {
  /** @param {{model: any}} _ctx */
  initialize(_ctx) {},
  /**
   * @param {{model: any, el: HTMLElement}} ctx
   * @returns {() => void}
   */
  render({ model, el }) {
    const view = new MemoryMonitorView(model, el);
    return () => view.destroy();
  },
};
