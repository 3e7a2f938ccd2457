// OpPlayer frontend entry (anywidget): `export default { initialize, render }`. Uses only model.get/set/on/off/send/
// save_changes and `msg:custom`, like TensorView, so the same code runs under a stand-in model.
import { OpPlayerView } from "./player/view.js";

export default {
  /** @param {{model: any}} _ctx */
  initialize(_ctx) {},
  /**
   * @param {{model: any, el: HTMLElement}} ctx
   * @returns {() => void}
   */
  render({ model, el }) {
    const view = new OpPlayerView(model, el);
    return () => view.destroy();
  },
};
