export default function (eleventyConfig) {
  eleventyConfig.setInputDirectory("content");
  eleventyConfig.setOutputDirectory("_out");
}
