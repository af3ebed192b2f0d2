/**
 * The DAG file loader: imports DAG files with tsx, validates their DAGs, reports import errors, and keeps
 * a folder of DAG files loaded as files change.
 * @packageDocumentation
 */
export { loadDagFile, type LoadDagFileOptions, type LoadedDagFile } from './load-dag-file.js';
export { DagFolder, type DagFolderOptions, type DagFolderScan } from './dag-folder.js';
export { listDagFolder, isDagFileName, type DagFolderListing } from './list-dag-folder.js';
export { createImportScope, moduleFormatOf, type ModuleImporter, type ModuleFormat } from './import-scope.js';
export { describeImportFailure, type FailurePaths } from './describe-import-failure.js';
