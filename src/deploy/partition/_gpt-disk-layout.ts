// The formula lives in image/gpt/ so that `inspectImage()` predicts the layout the editors write.
export { gptDiskLayout, type GptDiskLayout } from '../../image/gpt/gpt-disk-layout.ts';
