export { encodeFrame, FrameDecoder, FrameTooLargeError } from './frame-decoder';
