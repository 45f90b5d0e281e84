export { default } from "../_components/page-loading";
