// The session dataset lives in the package's testing entry point (the ETL benchmark uses it too).
export { generateSessions, type DatasetOptions } from '../../src/testing/sessions-dataset';
