"""Training hooks of the engine (terminal progress bar; reporting of skipped frames)."""
from __future__ import annotations

from mmengine.dist import is_main_process
from mmengine.hooks import Hook


class ProgressBarHook(Hook):
    """A tqdm bar over the iterations of each epoch (rank 0 only), with the last loss, and a
    report of frames that could not be read and were skipped."""

    priority = "VERY_LOW"

    def __init__(self):
        self.bar = None

    def before_train_epoch(self, runner) -> None:
        if is_main_process():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(runner.train_dataloader), leave=False,
                            desc=f"epoch {runner.epoch + 1}/{runner.max_epochs}", unit="it")

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if self.bar is not None:
            loss = (outputs or {}).get("loss")
            if loss is not None:
                self.bar.set_postfix(loss=f"{float(loss.detach() if hasattr(loss, 'detach') else loss):.4f}")
            self.bar.update(1)

    def after_train_epoch(self, runner) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        skipped = getattr(runner.train_dataloader.dataset, "unreadable", {})
        if skipped and is_main_process():
            runner.logger.warning(f"skipped unreadable frames this run: {dict(skipped)}")
